import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { MeshErrorCode, RpcClient, isMeshError } from './index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let nats: NatsServerHandle;
let server: NatsConnection; // the responder side
let client: NatsConnection;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  server = await connect({ servers: nats.url });
  client = await connect({ servers: nats.url });
  server.subscribe('echo', {
    callback: (_error, msg) => {
      const hdrs = headers();
      hdrs.set('X-Seen', msg.headers?.get('X-Tag') ?? 'none');
      msg.respond(msg.data, { headers: hdrs });
    },
  });
  server.subscribe('slow', { callback: (_error, msg) => void sleep(300).then(() => msg.respond(msg.data)) });
  await server.flush();
});

afterAll(async () => {
  await server?.close();
  await client?.close();
  await nats?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('RpcClient', () => {
  it("reuses the reply subject of an accepted call, drops replies the check refuses, and never reuses a timed-out call's", async () => {
    const rpc = new RpcClient(client, { sweepIntervalMs: 10 });
    const replyTo: string[] = [];
    const sub = server.subscribe('tagged', {
      callback: (_error, msg) => {
        replyTo.push(msg.reply ?? '');
        const body = decoder.decode(msg.data);
        if (body === 'silent') return;
        msg.respond(encoder.encode('stray'));
        msg.respond(encoder.encode(`re:${body}`));
      },
    });
    await server.flush();
    const accept = (reply: { data: Uint8Array }) => decoder.decode(reply.data).startsWith('re:');
    expect(decoder.decode((await rpc.request('tagged', encoder.encode('a'), { timeoutMs: 2_000, accept })).data)).toBe(
      're:a',
    );
    expect(decoder.decode((await rpc.request('tagged', encoder.encode('b'), { timeoutMs: 2_000, accept })).data)).toBe(
      're:b',
    );
    expect(replyTo[1]).toBe(replyTo[0]);
    expect((await rejection(rpc.request('tagged', encoder.encode('silent'), { timeoutMs: 50, accept }))).code).toBe(
      MeshErrorCode.Timeout,
    );
    await rpc.request('tagged', encoder.encode('c'), { timeoutMs: 2_000, accept });
    expect(replyTo[3]).not.toBe(replyTo[2]);
    // Requests without a check keep a subject of their own.
    await rpc.request('tagged', encoder.encode('d'), { timeoutMs: 2_000 });
    expect(new Set(replyTo).size).toBe(3);
    sub.unsubscribe();
    rpc.close();
  });

  it('sends a request with headers and returns the reply with its headers', async () => {
    const rpc = new RpcClient(client);
    const reply = await rpc.request('echo', encoder.encode('hi'), { timeoutMs: 2_000, headers: { 'X-Tag': 't1' } });
    expect(decoder.decode(reply.data)).toBe('hi');
    expect(reply.header('X-Seen')).toBe('t1');
    expect(reply.header('X-Missing')).toBeUndefined();
    expect(rpc.pending).toBe(0);
    rpc.close();
  });

  it('multiplexes 1,000 concurrent requests, each to its own reply', async () => {
    const rpc = new RpcClient(client);
    const calls = Array.from({ length: 1_000 }, (_, i) =>
      rpc.request('echo', encoder.encode(`n${i}`), { timeoutMs: 10_000 }),
    );
    expect(rpc.pending).toBe(1_000);
    const replies = await Promise.all(calls);
    replies.forEach((reply, i) => expect(decoder.decode(reply.data)).toBe(`n${i}`));
    expect(rpc.pending).toBe(0);
    rpc.close();
  });

  it('times out within about one sweep interval and drops the late reply', async () => {
    const rpc = new RpcClient(client, { sweepIntervalMs: 20 });
    const started = Date.now();
    const error = await rejection(rpc.request('slow', encoder.encode('x'), { timeoutMs: 100 }));
    const elapsed = Date.now() - started;
    expect(error.code).toBe(MeshErrorCode.Timeout);
    expect(error.message).toBe('no reply from slow within 100 ms');
    expect(elapsed).toBeGreaterThanOrEqual(99);
    // The code says the sweep ended it; the bound only catches a sweep that never runs.
    expect(elapsed).toBeLessThan(2_000);
    expect(rpc.pending).toBe(0);
    await sleep(300); // the reply arrives now and must be ignored
    expect(rpc.pending).toBe(0);
    const reply = await rpc.request('echo', encoder.encode('after'), { timeoutMs: 2_000 });
    expect(decoder.decode(reply.data)).toBe('after');
    rpc.close();
  });

  it('fails fast with no responders, through the shared wildcard inbox', async () => {
    const rpc = new RpcClient(client);
    const started = Date.now();
    const error = await rejection(rpc.request('nobody.listens', encoder.encode('x'), { timeoutMs: 5_000 }));
    expect(error.code).toBe(MeshErrorCode.NoResponders);
    expect(error.message).toContain('nobody.listens');
    expect(Date.now() - started).toBeLessThan(2_500); // half the 5 s timeout: refused, not timed out
    // with headers too (HPUB): the status reply is still recognised
    const withHeaders = await rejection(
      rpc.request('nobody.listens', encoder.encode('x'), { timeoutMs: 5_000, headers: { A: 'b' } }),
    );
    expect(withHeaders.code).toBe(MeshErrorCode.NoResponders);
    expect(rpc.pending).toBe(0);
    rpc.close();
  });

  it('refuses an oversized payload before sending, naming both sizes', async () => {
    const rpc = new RpcClient(client);
    const max = client.info!.max_payload;
    let seen = 0;
    const spy = server.subscribe('big', { callback: () => void seen++ });
    await server.flush();

    const error = await rejection(rpc.request('big', new Uint8Array(max + 1), { timeoutMs: 2_000 }));
    expect(error.code).toBe(MeshErrorCode.PayloadTooLarge);
    expect(error.message).toContain(String(max + 1));
    expect(error.message).toContain(String(max));

    // the payload alone fits, the headers push it over
    const nearly = await rejection(
      rpc.request('big', new Uint8Array(max - 10), { timeoutMs: 2_000, headers: { 'Er-Call-Id': 'abcdefghij' } }),
    );
    expect(nearly.code).toBe(MeshErrorCode.PayloadTooLarge);

    await client.flush();
    await server.flush();
    expect(seen).toBe(0);
    expect(rpc.pending).toBe(0);
    spy.unsubscribe();
    rpc.close();
  });

  it('cancels on abort, removes the entry and ignores the late reply', async () => {
    const rpc = new RpcClient(client);
    const controller = new AbortController();
    const call = rpc.request('slow', encoder.encode('x'), { timeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const error = await rejection(call);
    expect(error.code).toBe(MeshErrorCode.Cancelled);
    expect(rpc.pending).toBe(0);
    await sleep(300);
    expect(rpc.pending).toBe(0);

    const already = await rejection(
      rpc.request('echo', encoder.encode('x'), { timeoutMs: 5_000, signal: AbortSignal.abort() }),
    );
    expect(already.code).toBe(MeshErrorCode.Cancelled);
    expect(rpc.pending).toBe(0);
    rpc.close();
  });

  it('close() rejects every pending call and later requests', async () => {
    const rpc = new RpcClient(client);
    const calls = [1, 2, 3].map(() => rejection(rpc.request('slow', encoder.encode('x'), { timeoutMs: 5_000 })));
    await sleep(20);
    rpc.close();
    for (const error of await Promise.all(calls)) expect(error.code).toBe(MeshErrorCode.Closed);
    expect(rpc.pending).toBe(0);
    const later = await rejection(rpc.request('echo', encoder.encode('x'), { timeoutMs: 1_000 }));
    expect(isMeshError(later, MeshErrorCode.Closed)).toBe(true);
  });

  it('fails pending calls when the connection closes', async () => {
    const own = await connect({ servers: nats.url });
    const rpc = new RpcClient(own);
    const call = rejection(rpc.request('slow', encoder.encode('x'), { timeoutMs: 5_000 }));
    await sleep(20);
    await own.close();
    expect((await call).code).toBe(MeshErrorCode.Closed);
    expect(rpc.pending).toBe(0);
  });

  it('rejects a request to an invalid subject without leaking the entry', async () => {
    const rpc = new RpcClient(client);
    const error = await rejection(rpc.request('', encoder.encode('x'), { timeoutMs: 1_000 }));
    expect(error.code).toBe(MeshErrorCode.PublishFailed);
    expect(rpc.pending).toBe(0);
    rpc.close();
  });
});
