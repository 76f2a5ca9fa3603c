import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { decodeRecordBatch, RpcClient, StreamBatcher } from './index.js';

let nats: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
let rpc: RpcClient;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  rpc = new RpcClient(nc);
});

afterAll(async () => {
  rpc?.close();
  await nc?.close();
  await nats?.stop();
});

async function freshStream(name: string, subjects: string[]): Promise<void> {
  await jsm.streams.add({ name, subjects, duplicate_window: 60 * 1_000_000_000 });
}

/** Every record in the stream, in order, and how many messages carried them. */
async function stored(stream: string): Promise<{ messages: number; records: Array<Record<string, unknown>> }> {
  const info = await jsm.streams.info(stream);
  const records: Array<Record<string, unknown>> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message) records.push(...decodeRecordBatch<Record<string, unknown>>(message.data));
  }
  return { messages: info.state.messages, records };
}

describe('StreamBatcher', () => {
  it('stores records added within one interval as one acknowledged message per subject, in order', async () => {
    await freshStream('BATCH_ACK', ['batch.ack.>']);
    const errors: unknown[] = [];
    const batcher = new StreamBatcher(nc, rpc, {
      mode: 'acknowledged',
      idPrefix: 'test-ack',
      flushIntervalMs: 30,
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 100; i++) batcher.add(i % 2 === 0 ? 'batch.ack.even' : 'batch.ack.odd', JSON.stringify({ i }));
    expect(batcher.queued).toBe(100);
    await expect.poll(async () => (await stored('BATCH_ACK')).records.length, { timeout: 2000 }).toBe(100);
    const { messages, records } = await stored('BATCH_ACK');
    expect(messages).toBe(2);
    expect(records.filter((r) => (r.i as number) % 2 === 0).map((r) => r.i)).toEqual(
      Array.from({ length: 50 }, (_, k) => k * 2),
    );
    expect(batcher.queued).toBe(0);
    expect(errors).toEqual([]);
    await batcher.close();
  });

  it('sends a batch as soon as it reaches maxBatchBytes, and flush() sends the rest at once', async () => {
    await freshStream('BATCH_SIZE', ['batch.size']);
    const batcher = new StreamBatcher(nc, rpc, {
      mode: 'acknowledged',
      idPrefix: 'test-size',
      flushIntervalMs: 60_000,
      maxBatchBytes: 1000,
      onError: () => {},
    });
    const record = JSON.stringify({ pad: 'x'.repeat(90) }); // ~100 bytes
    for (let i = 0; i < 25; i++) batcher.add('batch.size', record);
    await batcher.flush();
    const { messages, records } = await stored('BATCH_SIZE');
    expect(records).toHaveLength(25);
    expect(messages).toBe(3); // 10 + 10 at the size limit, 5 by flush()
  });

  it('fire-and-forget batches are stored without an acknowledgement', async () => {
    await freshStream('BATCH_PLAIN', ['batch.plain']);
    const batcher = new StreamBatcher(nc, undefined, {
      mode: 'fire-and-forget',
      idPrefix: 'test-plain',
      flushIntervalMs: 20,
      onError: () => {},
    });
    for (let i = 0; i < 40; i++) batcher.add('batch.plain', JSON.stringify({ i }));
    await expect.poll(async () => (await stored('BATCH_PLAIN')).records.length, { timeout: 2000 }).toBe(40);
    expect((await stored('BATCH_PLAIN')).messages).toBe(1);
  });

  it('reports a batch no stream accepts after its attempts, and never throws', async () => {
    const lost: Array<{ records: number }> = [];
    const batcher = new StreamBatcher(nc, rpc, {
      mode: 'acknowledged',
      idPrefix: 'test-lost',
      attempts: 2,
      onError: (_error, batch) => lost.push(batch),
    });
    batcher.add('batch.nowhere', '{"a":1}');
    batcher.add('batch.nowhere', '{"a":2}');
    await batcher.flush();
    expect(lost).toEqual([{ subject: 'batch.nowhere', records: 2 }]);
  });

  it('group commit: each add() resolves once its record is stored; concurrent records share messages', async () => {
    await freshStream('BATCH_GROUP', ['batch.group']);
    const batcher = new StreamBatcher(nc, rpc, {
      mode: 'acknowledged',
      idPrefix: 'test-group',
      flushIntervalMs: 0,
      maxInFlight: 1,
      onError: () => {},
    });
    // Idle: one record goes out at once and is stored when its promise resolves.
    await batcher.add('batch.group', JSON.stringify({ i: -1 }));
    expect((await stored('BATCH_GROUP')).records).toEqual([{ i: -1 }]);
    // A burst: every promise resolves only with its record stored, in far fewer messages than records.
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        await batcher.add('batch.group', JSON.stringify({ i }));
        const { records } = await stored('BATCH_GROUP');
        expect(records.some((record) => record.i === i)).toBe(true);
      }),
    );
    const { messages, records } = await stored('BATCH_GROUP');
    expect(records).toHaveLength(301);
    expect(messages).toBeLessThan(50);
    expect(batcher.queued).toBe(0);
  });

  it('group commit: a record no stream accepts rejects its add()', async () => {
    const lost: Array<{ records: number }> = [];
    const batcher = new StreamBatcher(nc, rpc, {
      mode: 'acknowledged',
      idPrefix: 'test-group-lost',
      flushIntervalMs: 0,
      attempts: 2,
      onError: (_error, batch) => lost.push(batch),
    });
    await expect(batcher.add('batch.nowhere.group', '{"a":1}')).rejects.toThrow();
    expect(lost).toEqual([{ subject: 'batch.nowhere.group', records: 1 }]);
  });

  it('decodes batches and single records alike, and refuses anything else', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(decodeRecordBatch(bytes('[{"a":1},{"a":2}]'))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(decodeRecordBatch(bytes('{"a":1}'))).toEqual([{ a: 1 }]);
    expect(() => decodeRecordBatch(bytes('42'))).toThrow(TypeError);
    expect(() => decodeRecordBatch(bytes('{'))).toThrow(SyntaxError);
  });
});
