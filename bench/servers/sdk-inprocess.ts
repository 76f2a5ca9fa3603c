/**
 * Baseline 2: the MCP SDK's own in-process server. `createMcpHandler` (per-request server factory,
 * JSON response mode) mounted with `toNodeHandler` on fastify; the echo tool runs inside the HTTP
 * process, so no network hop sits behind it.
 * Usage: node bench/servers/sdk-inprocess.ts
 */
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import Fastify from 'fastify';
import { createEchoServer } from './echo-tool.ts';

const handler = createMcpHandler(() => createEchoServer(), { responseMode: 'json' });
const nodeHandler = toNodeHandler(handler);

const app = Fastify({ logger: false });
// fastify's own JSON parser reads the body; the SDK takes it pre-parsed (its documented `parsedBody`).
app.route({
  method: ['POST', 'GET', 'DELETE'],
  url: '/mcp',
  handler: async (request, reply) => {
    reply.hijack();
    await nodeHandler(request.raw, reply.raw, request.body);
  },
});

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ msg: 'bench listening', url: `${address}/mcp` })}\n`);

const stop = (): void => {
  void Promise.all([app.close(), handler.close()]).finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
