import type { McpEra } from '@easyremote/protocol';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

/** The MCP era a test client speaks, by protocol revision (the SDK calls them legacy and modern). */
export type Era = McpEra;

/**
 * A real MCP SDK v2 client. `2025-11-25` speaks the 2025 handshake (initialize + session id);
 * `2026-07-28` is pinned to that revision (server/discover + per-request _meta).
 */
export async function connectClient(
  url: string,
  era: Era,
  options: { fetch?: typeof fetch; capabilities?: Record<string, unknown> } = {},
): Promise<Client> {
  const client = new Client(
    { name: `easyremote-test-${era}`, version: '1.0.0' },
    {
      versionNegotiation: { mode: era === '2026-07-28' ? { pin: '2026-07-28' } : 'legacy' },
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), options.fetch ? { fetch: options.fetch } : {}));
  return client;
}

/** The text of a CallToolResult's first content block. */
export function firstText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}
