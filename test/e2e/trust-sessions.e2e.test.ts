import { connect, type Socket } from 'node:net';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { bearer, createKey } from '../support/security-helpers.js';

const LEGACY_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function legacyPost(
  url: string,
  key: string,
  body: unknown,
  sessionId?: string,
): Promise<{ status: number; sessionId: string | null; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...LEGACY_HEADERS,
      ...bearer(key),
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, sessionId: response.headers.get('mcp-session-id'), text: await response.text() };
}

/** A 2026-07-28 tools/call from a client that can answer elicitations. */
async function modernCall(
  url: string,
  key: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'trust-test', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  };
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...LEGACY_HEADERS,
      ...bearer(key),
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name, arguments: {}, ...extra, _meta: meta },
    }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Writes `chunks` one every `everyMs` until the server closes the socket; resolves with how many went out and what came back. */
function trickle(
  port: number,
  chunks: string[],
  everyMs: number,
): Promise<{ sent: number; answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let sent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ sent, answer, closed });
    };
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.once('close', () => finish(true));
    socket.once('error', () => undefined);
    const next = () => {
      if (sent === chunks.length) {
        finish(false);
        return;
      }
      if (!socket.destroyed) socket.write(chunks[sent++] as string);
      timer = setTimeout(next, everyMs);
    };
    socket.once('connect', next);
  });
}

// Items 7 and 10 of the trust boundary: a session id or a request state is worth nothing to another
// credential, and a client that sends slowly is cut off instead of holding a connection open.
describe('trust boundary: sessions belong to their principal; slow clients are cut off', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let alice: string;
  let mallory: string;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url, {
        EASYREMOTE_AUTH: 'on',
        EASYREMOTE_HEADERS_TIMEOUT_MS: '1500',
        EASYREMOTE_REQUEST_TIMEOUT_MS: '3000',
      }),
      spawnNode(nats.url, ['test/fixtures/protocol-tools.ts', 'test/fixtures/test-tools.ts'], {
        EASYREMOTE_NODE_ID: 'trust-node',
      }),
    ]);
    const scopes = ['tools:list', 'tools:call'];
    alice = (await createKey(nats.url, 'alice', scopes)).key;
    mallory = (await createKey(nats.url, 'mallory', scopes)).key;
    for (
      let tries = 0;
      tries < 100 && (await fetch(`${gateway.url}/mcp/tools`, { headers: bearer(mallory) })).status !== 200;
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('2025: another principal holding a session id gets exactly the answer for an unknown id, and cannot end it', async () => {
    const init = await legacyPost(gateway.mcpUrl, alice, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'alice', version: '1' } },
    });
    expect(init.status).toBe(200);
    const sid = init.sessionId as string;
    expect(sid).toBeTruthy();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    expect((await legacyPost(gateway.mcpUrl, alice, list, sid)).status).toBe(200);

    const stolen = await legacyPost(gateway.mcpUrl, mallory, list, sid);
    const unknown = await legacyPost(
      gateway.mcpUrl,
      mallory,
      list,
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(stolen.status).toBe(404);
    expect(stolen.text).toBe(unknown.text);

    const stream = await fetch(gateway.mcpUrl, {
      headers: { accept: 'text/event-stream', ...bearer(mallory), 'mcp-session-id': sid },
    });
    expect(stream.status).toBe(404);
    await stream.body?.cancel();
    const ended = await fetch(gateway.mcpUrl, {
      method: 'DELETE',
      headers: { ...bearer(mallory), 'mcp-session-id': sid },
    });
    expect(ended.status).toBe(404);
    // Alice's session survived the attempts.
    expect((await legacyPost(gateway.mcpUrl, alice, list, sid)).status).toBe(200);
  });

  it('2026: a requestState replayed by another principal is refused like a forged one', async () => {
    const first = await modernCall(gateway.mcpUrl, alice, 'proto_ask_name');
    const result = first.json.result as { resultType?: string; requestState?: string };
    expect(result.resultType).toBe('input_required');
    const answers = { inputResponses: {} as Record<string, unknown> };
    const requests = (first.json.result as { inputRequests?: Record<string, unknown> }).inputRequests ?? {};
    for (const key of Object.keys(requests))
      answers.inputResponses[key] = { action: 'accept', content: { name: 'Ada' } };

    const replayed = await modernCall(gateway.mcpUrl, mallory, 'proto_ask_name', {
      requestState: result.requestState,
      ...answers,
    });
    const forged = await modernCall(gateway.mcpUrl, mallory, 'proto_ask_name', {
      requestState: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ...answers,
    });
    expect(replayed.json.error).toBeDefined();
    expect(replayed.json.error).toEqual(forged.json.error);

    const resumed = await modernCall(gateway.mcpUrl, alice, 'proto_ask_name', {
      requestState: result.requestState,
      ...answers,
    });
    expect(JSON.stringify(resumed.json.result)).toContain('hello Ada');
  });

  it('a trickled body is cut off at the request timeout, trickled headers at the headers timeout; health stays up', async () => {
    const port = Number(new URL(gateway.url).port);
    const head = `POST /mcp/tools/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nauthorization: Bearer ${alice}\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n`;
    // 200 body bytes, one every 100 ms, would take 20 s; the gateway allows the request 3 s.
    const body = await trickle(port, [head, ...'x'.repeat(200)], 100);
    expect(body.closed).toBe(true);
    expect(body.sent).toBeLessThan(201);
    expect(body.answer).toMatch(/^HTTP\/1\.1 408|^$/);

    const headerBytes = [...('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nx-slow: ' + 'y'.repeat(150) + '\r\n\r\n')];
    const headers = await trickle(port, headerBytes, 100);
    expect(headers.closed).toBe(true);
    expect(headers.sent).toBeLessThan(headerBytes.length);

    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('the default limits cut a trickled body within about 30 s', async () => {
    const { loadGatewayConfig } = await import('@easyremote/gateway');
    const config = loadGatewayConfig({});
    expect(config.requestTimeoutMs).toBeLessThanOrEqual(30_000);
    expect(config.headersTimeoutMs).toBeLessThanOrEqual(config.requestTimeoutMs);
    expect(() =>
      loadGatewayConfig({ EASYREMOTE_HEADERS_TIMEOUT_MS: '5000', EASYREMOTE_REQUEST_TIMEOUT_MS: '1000' }),
    ).toThrow(/must not exceed/);
  });
});
