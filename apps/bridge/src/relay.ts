import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { BridgeConfig } from './bridge-config.js';
import { findBridgeError } from './errors.js';
import { gatewayFetch } from './gateway-fetch.js';

type Message = JSONRPCMessage & { id?: string | number; method?: string; result?: { protocolVersion?: unknown } };

export interface Relay {
  /** Resolves when either side closes. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Pipes MCP messages between a stdio client (a desktop app that started us) and the gateway's
 * Streamable HTTP endpoint, unchanged in both directions: requests, responses, notifications,
 * progress, cancellation and the gateway's requests to the client (elicitation, sampling) all pass
 * through. The SDK's transports do the framing, session ids and SSE; the relay only forwards.
 */
export async function startRelay(config: BridgeConfig, report: (line: string) => void): Promise<Relay> {
  const headers: Record<string, string> = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
  const upstream = new StreamableHTTPClientTransport(config.mcpUrl, {
    requestInit: { headers },
    fetch: gatewayFetch(config.mcpUrl, config.apiKey !== undefined),
  });
  const downstream = new StdioServerTransport();
  const pendingInitialize = new Set<string | number>();
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  // Each side's close fires the other's onclose: close once, or the two would recurse forever.
  // The flag is set before either close() runs, because a transport may call onclose synchronously.
  let closing = false;
  const closeBoth = async (): Promise<void> => {
    if (closing) return closed;
    closing = true;
    await Promise.allSettled([upstream.close(), downstream.close()]);
    resolveClosed();
  };

  // Refused and unreachable already name the URL; anything else (a 5xx, a bad body) gets it here.
  const describe = (error: unknown): string =>
    findBridgeError(error)?.message ??
    `EasyRemote gateway request to ${config.mcpUrl.href} failed: ${error instanceof Error ? error.message : String(error)}`;
  // The SDK reports a failed send through onerror and also rejects the send: tell the user once.
  const reported = new WeakSet<object>();
  const reportOnce = (error: unknown): void => {
    const known = findBridgeError(error);
    const key = known ?? (typeof error === 'object' && error !== null ? error : undefined);
    if (key !== undefined && reported.has(key)) return;
    if (key !== undefined) reported.add(key);
    report(`easyremote-mcp: ${describe(error)}${known ? ` [${known.code}]` : ''}`);
  };

  downstream.onmessage = (message) => {
    const msg = message as Message;
    if (msg.method === 'initialize' && msg.id !== undefined) pendingInitialize.add(msg.id);
    upstream.send(message).catch((error: unknown) => {
      const known = findBridgeError(error);
      const text = describe(error);
      reportOnce(error);
      // A request must still be answered, or the desktop client waits forever.
      if (msg.method !== undefined && msg.id !== undefined) {
        const data = known
          ? { code: known.code, url: known.url, ...(known.status === undefined ? {} : { status: known.status }) }
          : { url: config.mcpUrl.href };
        void downstream.send({
          jsonrpc: '2.0',
          id: msg.id,
          error: { code: -32603, message: text, data },
        } as JSONRPCMessage);
      }
    });
  };
  upstream.onmessage = (message) => {
    const msg = message as Message;
    // Later requests must name the negotiated version in their MCP-Protocol-Version header.
    if (msg.id !== undefined && pendingInitialize.delete(msg.id) && typeof msg.result?.protocolVersion === 'string') {
      upstream.setProtocolVersion(msg.result.protocolVersion);
    }
    void downstream.send(message);
  };
  upstream.onerror = (error) => reportOnce(error);
  downstream.onerror = (error) => report(`easyremote-mcp: stdin: ${error.message}`);
  downstream.onclose = () => void closeBoth();
  upstream.onclose = () => void closeBoth();

  await upstream.start();
  await downstream.start();
  return { closed, close: closeBoth };
}
