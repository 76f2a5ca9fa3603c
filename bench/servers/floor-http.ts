/**
 * The floor: a hand-written node:http server that parses a JSON-RPC tools/call body and forwards it
 * over ONE NATS request to the floor responder, splicing the reply into the JSON-RPC response.
 * Our architecture with nothing else in it (no sessions, no validation, no registry, no framework).
 *
 * Usage: node bench/servers/floor-http.ts <nats-url> <subject> [mux|request|batched]
 *   mux (default): one wildcard inbox subscription and a map of pending replies, no timers: the
 *     cheapest way to make a NATS request, so the floor is a true lower bound.
 *   request: nats.js `nc.request()` per call (a timer and an Error object per call).
 *   batched: mux, with publishes held to the end of the event-loop turn (an experiment: what
 *     coalescing NATS writes across HTTP requests is worth).
 */
import { createServer, type ServerResponse } from 'node:http';
import { createInbox } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

const [natsUrl = 'nats://127.0.0.1:4222', subject = 'bench.floor.echo', mode = 'mux'] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl, name: 'bench-floor-http' });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface ToolsCall {
  id?: string | number;
  params?: { name?: string; arguments?: Record<string, unknown> };
}

type Reply = (data: Uint8Array) => void;
const prefix = `${createInbox()}.`;
const pending = new Map<string, Reply>();
let counter = 0;
nc.subscribe(`${prefix}*`, {
  callback: (error, msg) => {
    const reply = pending.get(msg.subject);
    if (error || reply === undefined) return;
    pending.delete(msg.subject);
    reply(msg.data);
  },
});

// `batched`: publishes wait for the end of the event-loop turn, so the requests parsed in one turn
// leave in one socket write (nats.js otherwise flushes after every microtask checkpoint).
const queued: Array<[Uint8Array, string]> = [];
function flushQueued(): void {
  for (const [payload, inbox] of queued) nc.publish(subject, payload, { reply: inbox });
  queued.length = 0;
}

function request(payload: Uint8Array, onReply: Reply, onError: (error: Error) => void): void {
  if (mode === 'batched') {
    const inbox = prefix + (++counter).toString(36);
    pending.set(inbox, onReply);
    if (queued.push([payload, inbox]) === 1) setImmediate(flushQueued);
    return;
  }
  if (mode === 'request') {
    nc.request(subject, payload, { timeout: 5_000 }).then((msg) => onReply(msg.data), onError);
    return;
  }
  const inbox = prefix + (++counter).toString(36);
  pending.set(inbox, onReply);
  nc.publish(subject, payload, { reply: inbox });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let call: ToolsCall;
    try {
      call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ToolsCall;
    } catch {
      return send(res, 400, '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    }
    const id = JSON.stringify(call.id ?? null);
    const payload = encoder.encode(
      JSON.stringify({ tool: call.params?.name, arguments: call.params?.arguments ?? {} }),
    );
    request(
      payload,
      (data) => send(res, 200, `{"jsonrpc":"2.0","id":${id},"result":${decoder.decode(data)}}`),
      (error) =>
        send(
          res,
          200,
          `{"jsonrpc":"2.0","id":${id},"error":{"code":-32603,"message":${JSON.stringify(error.message)}}}`,
        ),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'bench listening', url: `http://127.0.0.1:${port}/mcp` })}\n`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
  void nc.drain().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
