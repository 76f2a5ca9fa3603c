/**
 * The echo tool as the MCP SDK's own servers register it: the same JSON Schemas as the toolbox's
 * echo (input `{ text: string }` with no extra properties, output `{ text: string }`). The schemas
 * are built once per process; servers built per request only register them.
 */
import { fromJsonSchema, McpServer } from '@modelcontextprotocol/server';

const ECHO_MAX_LENGTH = 256 * 1024;

const input = fromJsonSchema<{ text: string }>({
  type: 'object',
  properties: { text: { type: 'string', maxLength: ECHO_MAX_LENGTH, description: 'Text to send back' } },
  required: ['text'],
  additionalProperties: false,
});
const output = fromJsonSchema<{ text: string }>({
  type: 'object',
  properties: { text: { type: 'string' } },
  required: ['text'],
});

/** A fresh McpServer with the echo tool: the SDK's documented per-request (or per-connection) factory. */
export function createEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench-sdk-echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the given text unchanged.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    },
    ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  return server;
}
