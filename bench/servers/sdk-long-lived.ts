/**
 * The prototype issue 14 asked for: ONE long-lived low-level SDK `Server` per process behind a custom
 * stateless transport, as the gateway's MCP layer would use it. fastify parses the body (as in the
 * gateway), the SDK's `classifyInboundRequest` settles the era, and the message goes to the shared
 * Server through a multiplexing transport: each inbound request gets a process-unique JSON-RPC id
 * (clients all send `id: 1`), and the Server's response is matched back to its HTTP exchange by it.
 * The echo tool runs in process (no NATS hop), so this measures the SDK's protocol layer with
 * nothing behind it. Mode `direct` answers the same request with the same handler called straight
 * from the route (what a method table does), so the difference between the two is the SDK Server's
 * own cost per request. See docs/decisions/0020.
 * Usage: node bench/servers/sdk-long-lived.ts [server|direct]
 */
import {
  classifyInboundRequest,
  Server,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type Transport,
} from '@modelcontextprotocol/server';
import Fastify from 'fastify';

const mode = process.argv[2] === 'direct' ? 'direct' : 'server';

type Pending = (message: JSONRPCMessage) => void;

/** Many concurrent exchanges over one connected Server: ids rewritten in, restored out. */
class MultiplexTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #pending = new Map<number, { reply: Pending; id: JSONRPCRequest['id'] }>();
  #next = 0;

  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!('id' in message) || typeof message.id !== 'number' || 'method' in message) return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    pending.reply({ ...message, id: pending.id } as JSONRPCMessage);
  }

  exchange(request: JSONRPCRequest): Promise<JSONRPCMessage> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(id, { reply: resolve, id: request.id });
      this.onmessage?.({ ...request, id });
    });
  }
}

const server = new Server({ name: 'bench-sdk-long-lived', version: '1.0.0' }, { capabilities: { tools: {} } });
const echo = (args: unknown) => {
  const text = String((args as { text?: unknown } | undefined)?.text ?? '');
  return { content: [{ type: 'text' as const, text }], structuredContent: { text } };
};
server.setRequestHandler('tools/call', (request) => echo(request.params.arguments));
const transport = new MultiplexTransport();
await server.connect(transport);

const app = Fastify({ logger: false });
app.post('/mcp', async (request, reply) => {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const protocolVersionHeader = header('mcp-protocol-version');
  const mcpMethodHeader = header('mcp-method');
  const mcpNameHeader = header('mcp-name');
  const route = classifyInboundRequest({
    httpMethod: 'POST',
    body: request.body,
    ...(protocolVersionHeader === undefined ? {} : { protocolVersionHeader }),
    ...(mcpMethodHeader === undefined ? {} : { mcpMethodHeader }),
    ...(mcpNameHeader === undefined ? {} : { mcpNameHeader }),
  });
  if (route.kind !== 'modern' && route.kind !== 'legacy') return reply.code(400).send(route);
  const message = request.body as JSONRPCRequest;
  const answer =
    mode === 'server'
      ? await transport.exchange(message)
      : { jsonrpc: '2.0', id: message.id, result: echo((message.params as { arguments?: unknown }).arguments) };
  return reply.header('content-type', 'application/json').send(JSON.stringify(answer));
});

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ msg: 'bench listening', url: `${address}/mcp` })}\n`);

const stop = (): void => {
  void app.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
