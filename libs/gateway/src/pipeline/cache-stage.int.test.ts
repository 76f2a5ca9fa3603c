import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { CallResult, Logger, ToolDescriptor } from '@easyremote/protocol';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache } from '../cache/result-cache.js';
import { AccessPolicy } from '@easyremote/auth';
import { cacheStage } from './call-stages.js';
import { type ToolCall, composeCallPipeline, type NextStage } from './call-pipeline.js';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;
const text = (value: string): CallResult => ({ content: [{ type: 'text', text: value }] });

let nats: NatsServerHandle;
let nc: NatsConnection;
let cache: ResultCache;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  nc = await connect({ servers: nats.url });
  cache = await ResultCache.open(nc, { replicas: 1, logger: quiet });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('ResultCache (a real JetStream KV bucket)', () => {
  it('gives back what was put under a key, and nothing under another', async () => {
    const key = ResultCache.key('t', { a: 1 });
    cache.put('t', key, text('one'), 60_000);
    await expect.poll(() => cache.get('t', key)).toEqual(text('one'));
    expect(await cache.get('t', ResultCache.key('t', { a: 2 }))).toBeUndefined();
  });

  it("misses once the entry's own TTL has passed, though the bucket still holds it", async () => {
    const key = ResultCache.key('ttl', { a: 1 });
    const now = Date.now();
    cache.put('ttl', key, text('fresh'), 1_000, now);
    await expect.poll(() => cache.get('ttl', key, now + 999)).toEqual(text('fresh'));
    expect(await cache.get('ttl', key, now + 1_000)).toBeUndefined();
    expect(await cache.get('ttl', key, now + 60_000)).toBeUndefined();
  });

  it('reports every lookup as a hit or a miss', async () => {
    const seen: Array<[string, boolean]> = [];
    const stop = cache.onLookup((tool, hit) => seen.push([tool, hit]));
    const key = ResultCache.key('seen', {});
    await cache.get('seen', key);
    cache.put('seen', key, text('x'), 60_000);
    await expect.poll(() => cache.get('seen', key)).toEqual(text('x'));
    stop();
    expect(seen[0]).toEqual(['seen', false]);
    expect(seen.at(-1)).toEqual(['seen', true]);
  });
});

describe('cacheStage', () => {
  const tools: ToolDescriptor[] = [
    { name: 'cached', inputSchema: { type: 'object' }, metadata: { cacheTtlMs: 60_000 } },
    { name: 'plain', inputSchema: { type: 'object' } },
  ];
  const byName = new Map<string, ToolEntry>(tools.map((d) => [d.name, { name: d.name, descriptor: d, providers: [] }]));
  // The registry's read side only: the stage looks the tool's TTL up by name.
  const registry = { tool: (name: string) => byName.get(name) } as unknown as RegistryView;

  let runs = 0;
  const counting =
    (isError = false): NextStage =>
    (c) => {
      runs++;
      return Promise.resolve({
        kind: 'result',
        result: { ...text(`run ${runs}`), ...(isError ? { isError } : {}) },
        callId: c.callId,
        nodeId: 'n1',
      });
    };
  const call = (tool: string, args: Record<string, unknown>, more: Partial<ToolCall> = {}): ToolCall => ({
    tool,
    arguments: args,
    callId: `c-${Math.random()}`,
    via: 'rest',
    principal: undefined,
    access: new AccessPolicy(['admin']),
    ...more,
  });

  it('answers the same arguments from the cache, marked cached, without running the call again', async () => {
    runs = 0;
    const pipeline = composeCallPipeline([cacheStage(registry, cache)], counting(), quiet);
    const first = await pipeline.run(call('cached', { q: 'same' }));
    expect(first).toMatchObject({ kind: 'result', nodeId: 'n1', result: text('run 1') });
    await expect
      .poll(async () => {
        const again = await pipeline.run(call('cached', { q: 'same' }));
        return again.kind === 'result' && again.cached === true ? again.result : undefined;
      })
      .toEqual(text('run 1'));
    expect(runs).toBe(1);
  });

  it('runs tools without a TTL, error results and resumed calls every time', async () => {
    runs = 0;
    const plain = composeCallPipeline([cacheStage(registry, cache)], counting(), quiet);
    await plain.run(call('plain', { q: 1 }));
    await plain.run(call('plain', { q: 1 }));
    expect(runs).toBe(2);

    runs = 0;
    const failing = composeCallPipeline([cacheStage(registry, cache)], counting(true), quiet);
    await failing.run(call('cached', { q: 'error' }));
    // Give a (wrong) store time to land before asking again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await failing.run(call('cached', { q: 'error' }));
    expect(second.kind === 'result' && second.cached).toBeFalsy();
    expect(runs).toBe(2);

    runs = 0;
    const resumed = call('cached', { q: 'same' }, { resume: { nodeId: 'n1', inputResponses: {} } });
    const outcome = await plain.run(resumed);
    expect(outcome.kind === 'result' && outcome.cached).toBeFalsy();
    expect(runs).toBe(1);
  });
});
