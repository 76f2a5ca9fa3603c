import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export type Era = 'legacy' | 'modern';

/**
 * A real MCP SDK v2 client. `legacy` speaks the 2025 handshake (initialize + session id); `modern`
 * is pinned to 2026-07-28 (server/discover + per-request _meta).
 */
export async function connectClient(
  url: string,
  era: Era,
  options: { fetch?: typeof fetch; capabilities?: Record<string, unknown> } = {},
): Promise<Client> {
  const client = new Client(
    { name: `easyremote-test-${era}`, version: '1.0.0' },
    {
      versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' },
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
