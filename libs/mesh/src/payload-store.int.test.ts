import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { Headers } from '@easyremote/protocol';
import { MeshErrorCode, PayloadStore, RpcClient } from './index.js';

const MIB = 1024 * 1024;
const digest = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const bytes = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

let nats: NatsServerHandle;
let server: NatsConnection;
let client: NatsConnection;
let serverStore: PayloadStore;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  server = await connect({ servers: nats.url });
  client = await connect({ servers: nats.url });
  serverStore = await PayloadStore.open(server, { maxBytes: 8 * MIB, ttlMs: 60_000 });
  // Answers `{ sha of the request } + a body of the size it asks for`, offloading what does not fit.
  server.subscribe('big', {
    callback: (_error, msg) => {
      void (async () => {
        const name = msg.headers?.get(Headers.payload) ?? '';
        const body =
          name === ''
            ? msg.data
            : await serverStore.take(name, Number(msg.headers?.get(Headers.payloadSize)), 'request');
        const answer = bytes(Number(msg.headers?.get('X-Answer-Size') ?? '0'), 7);
        const h = headers();
        h.set('X-Request-Sha', digest(body));
        h.set('X-Offloaded', name === '' ? 'no' : 'yes');
        if (answer.length < MIB) return msg.respond(answer, { headers: h });
        h.set(Headers.payload, await serverStore.put(answer, 'reply'));
        h.set(Headers.payloadSize, String(answer.length));
        msg.respond(new Uint8Array(0), { headers: h });
      })();
    },
  });
  await server.flush();
});

afterAll(async () => {
  await server?.close();
  await client?.close();
  await nats?.stop();
});

describe('large bodies through the payload object store', () => {
  it('carry a 3 MiB request and a 2 MiB reply intact, small ones inline', async () => {
    const rpc = new RpcClient(client, { payloads: await PayloadStore.open(client, { maxBytes: 8 * MIB }) });
    const request = bytes(3 * MIB, 1);
    const reply = await rpc.request('big', request, {
      timeoutMs: 10_000,
      headers: { 'X-Answer-Size': String(2 * MIB) },
    });
    expect(reply.header('X-Request-Sha')).toBe(digest(request));
    expect(reply.header('X-Offloaded')).toBe('yes');
    expect(reply.data.length).toBe(2 * MIB);
    expect(digest(reply.data)).toBe(digest(bytes(2 * MIB, 7)));
    const small = await rpc.request('big', bytes(100, 2), { timeoutMs: 5_000, headers: { 'X-Answer-Size': '10' } });
    expect(small.header('X-Offloaded')).toBe('no');
    rpc.close();
  });

  it('refuse a body over the hard limit with a clear error, before sending or reading it', async () => {
    const rpc = new RpcClient(client, { payloads: await PayloadStore.open(client, { maxBytes: 2 * MIB }) });
    await expect(rpc.request('big', bytes(3 * MIB, 1), { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: MeshErrorCode.PayloadTooLarge,
      message: expect.stringContaining('over the 2097152-byte limit') as string,
    });
    await expect(
      rpc.request('big', bytes(10, 1), { timeoutMs: 5_000, headers: { 'X-Answer-Size': String(3 * MIB) } }),
    ).rejects.toMatchObject({
      code: MeshErrorCode.PayloadTooLarge,
    });
    rpc.close();
  });

  it('without a store, a large request still fails at once', async () => {
    const rpc = new RpcClient(client);
    await expect(rpc.request('big', bytes(2 * MIB, 1), { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: MeshErrorCode.PayloadTooLarge,
    });
    rpc.close();
  });
});
