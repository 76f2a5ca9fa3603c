/** The MCP request shapes the bench sends, and small fetch helpers for setup and probes. */

export const LEGACY_VERSION = '2025-11-25';
export const MODERN_VERSION = '2026-07-28';
export const ECHO_ARGUMENTS = { text: 'hello' } as const;

const CLIENT_INFO = { name: 'easyremote-bench', version: '1.0.0' };

export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** A 2025-era `tools/call` body (also what the floor parses). */
export function legacyCallBody(
  id: number | string = 1,
  name = 'echo',
  args: Record<string, unknown> = ECHO_ARGUMENTS,
): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

export function legacyHeaders(sessionId: string | undefined): Record<string, string> {
  return {
    ...BASE_HEADERS,
    'mcp-protocol-version': LEGACY_VERSION,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
  };
}

const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A stateless 2026-07-28 request: the envelope rides in `params._meta` and mirrored headers. */
export function modernBody(method: string, params: Record<string, unknown>, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: MODERN_META } });
}

export function modernCallBody(id: number | string = 1): string {
  return modernBody('tools/call', { name: 'echo', arguments: ECHO_ARGUMENTS }, id);
}

export function modernHeaders(method: string, name?: string): Record<string, string> {
  return {
    ...BASE_HEADERS,
    'mcp-protocol-version': MODERN_VERSION,
    'mcp-method': method,
    ...(name ? { 'mcp-name': name } : {}),
  };
}

/** Opens a 2025-era session (`initialize` + `notifications/initialized`); returns its id. */
export async function initializeSession(
  url: string,
  id: number | string = 0,
  auth: Readonly<Record<string, string>> = {},
): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...BASE_HEADERS, ...auth },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
    }),
  });
  const text = await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  if (!response.ok || !sessionId)
    throw new Error(`initialize at ${url} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  const initialized = await fetch(url, {
    method: 'POST',
    headers: { ...legacyHeaders(sessionId), ...auth },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  return sessionId;
}

export interface Probe {
  status: number;
  body: string;
}

export async function post(url: string, headers: Record<string, string>, body: string): Promise<Probe> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text() };
}

/**
 * Sends the request twice and checks that it echoed. Returns the body to demand from every
 * response under load when both answers were byte-identical (JSON bodies), else undefined.
 */
export async function probeEcho(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<string | undefined> {
  const first = await post(url, headers, body);
  const ok =
    first.status === 200 &&
    first.body.includes('"hello"') &&
    !first.body.includes('"error"') &&
    !first.body.includes('"isError":true');
  if (!ok) throw new Error(`probe of ${url} did not echo: HTTP ${first.status} ${first.body.slice(0, 400)}`);
  const second = await post(url, headers, body);
  return second.body === first.body ? first.body : undefined;
}
