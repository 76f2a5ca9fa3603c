import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { KV } from '@nats-io/kv';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { encodeJson, type Logger, type NodeAdvert, type ToolDescriptor } from '@easyremote/protocol';
import { NodeAdvertiser, RegistryView, openRegistry, type RegistryChange } from './index.js';

let nats: NatsServerHandle;
let nc: NatsConnection;
let buckets = 0;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
  return Date.now() - started;
}

function freshBucket(): Promise<KV> {
  return openRegistry(nc, { bucket: `reg-test-${++buckets}` });
}

function tool(name: string, description = `${name} tool`): ToolDescriptor {
  return { name, description, inputSchema: { type: 'object' } };
}

function advert(nodeId: string, tools: ToolDescriptor[], extra: Partial<NodeAdvert> = {}): NodeAdvert {
  return {
    version: 1,
    nodeId,
    instanceId: `${nodeId}-instance`,
    startedAt: Date.now(),
    heartbeatAt: Date.now(),
    ttlMs: 3_000,
    tools,
    capabilities: { cpus: 4, memoryBytes: 1 << 30, platform: 'linux', labels: {} },
    load: { inFlight: 0, maxConcurrency: 8 },
    ...extra,
  };
}

function memoryLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = () => {};
  const logger = {
    warnings,
    debug: noop,
    info: noop,
    error: noop,
    warn: (_o: object, msg?: string) => warnings.push(msg ?? ''),
    child: () => logger,
  };
  return logger;
}

describe('NodeAdvertiser + RegistryView', () => {
  it('shows a node and its tools, sorted, with providers', async () => {
    const kv = await freshBucket();
    await using stack = new AsyncDisposableStack();
    const view = await RegistryView.start(kv);
    stack.defer(() => view.stop());
    const changes: RegistryChange[] = [];
    view.onChange((change) => changes.push(change));

    const node = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 1_000,
      advert: () => advert('node-a', [tool('zeta'), tool('alpha')]),
    });
    await node.start();
    stack.defer(() => node.stop());
    const elapsed = await waitFor(() => view.node('node-a') !== undefined);
    expect(elapsed).toBeLessThan(1_000);

    expect(view.tools().map((t) => [t.name, t.providers])).toEqual([
      ['alpha', ['node-a']],
      ['zeta', ['node-a']],
    ]);
    expect(view.tool('zeta')?.descriptor.description).toBe('zeta tool');
    expect(view.tool('missing')).toBeUndefined();
    expect(view.nodes().size).toBe(1);
    expect(view.revision).toBe(1);
    expect(changes).toEqual([{ kind: 'node-joined', nodeId: 'node-a', toolsChanged: true, catalogChanged: false }]);
  });

  it('merges a tool served by two nodes with the same descriptor into one entry with two providers', async () => {
    const kv = await freshBucket();
    const view = await RegistryView.start(kv);
    const b = new NodeAdvertiser(kv, {
      nodeId: 'node-b',
      heartbeatMs: 1_000,
      advert: () => advert('node-b', [tool('echo')]),
    });
    const a = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 1_000,
      advert: () => advert('node-a', [tool('echo')]),
    });
    await b.start();
    await a.start();
    await waitFor(() => view.nodes().size === 2);
    expect(view.tools()).toHaveLength(1);
    expect(view.tool('echo')?.providers).toEqual(['node-a', 'node-b']);
    expect(view.conflicts()).toEqual([]);
    await a.stop();
    await b.stop();
    view.stop();
  });

  it('a node that joins later with a differing descriptor gets no calls, even with the smaller node id', async () => {
    const kv = await freshBucket();
    const logger = memoryLogger();
    const view = await RegistryView.start(kv, { logger });
    const real = new NodeAdvertiser(kv, {
      nodeId: 'node-b',
      heartbeatMs: 1_000,
      advert: () => advert('node-b', [tool('echo', 'from b')]),
    });
    await real.start();
    await waitFor(() => view.tool('echo') !== undefined);
    const changes: RegistryChange[] = [];
    view.onChange((change) => changes.push(change));
    const rogue = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 1_000,
      advert: () => advert('node-a', [tool('echo', 'from a')]),
    });
    await rogue.start();
    await waitFor(() => view.nodes().size === 2);
    expect(view.tool('echo')?.providers).toEqual(['node-b']);
    expect(view.tool('echo')?.descriptor.description).toBe('from b');
    expect(view.conflicts()).toMatchObject([{ tool: 'echo', nodeId: 'node-a', reason: 'descriptor-differs' }]);
    await waitFor(() => logger.warnings.includes('node gets no calls for a tool it advertises'));
    await rogue.stop();
    await real.stop();
    view.stop();
  });

  it('does not rebuild the tool list for a heartbeat that only changed load, but does when tools change', async () => {
    const kv = await freshBucket();
    const view = await RegistryView.start(kv);
    let tools = [tool('echo')];
    let inFlight = 0;
    const node = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 50,
      advert: () => advert('node-a', tools, { load: { inFlight: inFlight++, maxConcurrency: 8 } }),
    });
    const changes: RegistryChange[] = [];
    view.onChange((change) => changes.push(change));
    await node.start();
    await waitFor(() => view.node('node-a') !== undefined);
    const list = view.tools();
    const revision = view.revision;
    await waitFor(() => (view.node('node-a')?.advert.load.inFlight ?? 0) >= 3);
    expect(view.tools()).toBe(list); // the very same cached array
    expect(view.revision).toBe(revision);
    expect(changes.filter((c) => c.kind === 'node-updated').every((c) => !c.toolsChanged)).toBe(true);

    tools = [tool('echo'), tool('sum')];
    await node.refresh();
    await waitFor(() => view.tool('sum') !== undefined);
    expect(view.revision).toBe(revision + 1);
    expect(changes).toContainEqual({
      kind: 'node-updated',
      nodeId: 'node-a',
      toolsChanged: true,
      catalogChanged: false,
    });
    await node.stop();
    view.stop();
  });

  it('drops a node at once on graceful stop', async () => {
    const kv = await freshBucket();
    const view = await RegistryView.start(kv);
    const node = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 1_000,
      advert: () => advert('node-a', [tool('echo')]),
    });
    await node.start();
    await waitFor(() => view.node('node-a') !== undefined);
    const left = new Promise<RegistryChange>((resolve) => view.onChange(resolve));
    const started = Date.now();
    await node.stop();
    await waitFor(() => view.node('node-a') === undefined);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await left).toEqual({
      kind: 'node-left',
      nodeId: 'node-a',
      toolsChanged: true,
      catalogChanged: false,
      reason: 'deleted',
    });
    expect(view.tools()).toEqual([]);
    view.stop();
  });

  it('sweeps a node that stopped heartbeating within ttl + sweep interval', async () => {
    const kv = await freshBucket();
    const view = await RegistryView.start(kv, { sweepIntervalMs: 100 });
    await kv.put('killed', encodeJson(advert('killed', [tool('echo')], { ttlMs: 1_000 }))); // one beat, then "kill -9"
    const seen = Date.now();
    await waitFor(() => view.node('killed') !== undefined);
    await sleep(700);
    expect(view.node('killed')).toBeDefined();
    await waitFor(() => view.node('killed') === undefined, 2_000);
    const gone = Date.now() - seen;
    expect(gone).toBeGreaterThanOrEqual(1_000);
    expect(gone).toBeLessThan(1_000 + 1_000); // swept before a second ttl, not at the next advert
    expect(view.tools()).toEqual([]);
    view.stop();
  });

  it('skips malformed entries, in the replay and live, without losing the rest', async () => {
    const kv = await freshBucket();
    await kv.put('garbage', 'not json');
    await kv.put('good-1', encodeJson(advert('good-1', [tool('echo')])));
    const logger = memoryLogger();
    const view = await RegistryView.start(kv, { logger });
    expect([...view.nodes().keys()]).toEqual(['good-1']);

    await kv.put('schema-bad', encodeJson({ ...advert('schema-bad', []), ttlMs: 'soon' }));
    await kv.put('impostor', encodeJson(advert('someone-else', [tool('evil')])));
    await kv.put('good-2', encodeJson(advert('good-2', [tool('echo')])));
    await waitFor(() => view.node('good-2') !== undefined);
    expect([...view.nodes().keys()].sort()).toEqual(['good-1', 'good-2']);
    expect(view.tool('evil')).toBeUndefined();
    expect(logger.warnings.filter((w) => w.startsWith('skipping'))).toHaveLength(3);
    view.stop();
  });

  it('loads nodes that existed before it started, but not deleted ones', async () => {
    const kv = await freshBucket();
    const a = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 1_000,
      advert: () => advert('node-a', [tool('echo')]),
    });
    const gone = new NodeAdvertiser(kv, {
      nodeId: 'node-gone',
      heartbeatMs: 1_000,
      advert: () => advert('node-gone', [tool('old')]),
    });
    await a.start();
    await gone.start();
    await gone.stop();
    const view = await RegistryView.start(kv); // resolves only after the replay: no waiting needed
    expect([...view.nodes().keys()]).toEqual(['node-a']);
    expect(view.tools().map((t) => t.name)).toEqual(['echo']);
    const lastSeen = view.node('node-a')?.lastSeen ?? 0;
    expect(lastSeen).toBeLessThanOrEqual(Date.now());
    expect(lastSeen).toBeGreaterThan(Date.now() - 2_000);
    await a.stop();
    view.stop();
  });

  it('starts at once on an empty bucket and on a bucket holding only delete markers', async () => {
    const empty = await freshBucket();
    let started = Date.now();
    const first = await RegistryView.start(empty);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first.nodes().size).toBe(0);
    first.stop();

    const tombstones = await freshBucket();
    await tombstones.put('x', encodeJson(advert('x', [])));
    await tombstones.delete('x');
    started = Date.now();
    const second = await RegistryView.start(tombstones);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(second.nodes().size).toBe(0);
    second.stop();
  });

  it('ages replayed entries by their server timestamp, live ones by the local clock', async () => {
    const kv = await freshBucket();
    await kv.put('before', encodeJson(advert('before', [tool('echo')], { ttlMs: 1_000 })));
    // A clock 5 s ahead makes the replayed entry look 5 s old, so the first sweep drops it.
    const view = await RegistryView.start(kv, { sweepIntervalMs: 50, now: () => Date.now() + 5_000 });
    await kv.put('after', encodeJson(advert('after', [tool('echo')], { ttlMs: 1_000 })));
    await waitFor(() => view.node('before') === undefined && view.node('after') !== undefined);
    await sleep(200);
    expect(view.node('after')).toBeDefined();
    view.stop();
  });

  it('forgets a node on request until its next heartbeat', async () => {
    const kv = await freshBucket();
    const view = await RegistryView.start(kv);
    const node = new NodeAdvertiser(kv, {
      nodeId: 'node-a',
      heartbeatMs: 200,
      advert: () => advert('node-a', [tool('echo')]),
    });
    await node.start();
    await waitFor(() => view.node('node-a') !== undefined);
    view.forgetNode('node-a');
    expect(view.node('node-a')).toBeUndefined();
    expect(view.tool('echo')).toBeUndefined();
    view.forgetNode('node-a'); // idempotent
    await waitFor(() => view.tool('echo') !== undefined, 1_000);
    await node.stop();
    view.stop();
  });

  it('resyncs without duplicating nodes or refreshing their lastSeen', async () => {
    const kv = await freshBucket();
    const view = await RegistryView.start(kv);
    await kv.put('node-a', encodeJson(advert('node-a', [tool('echo')])));
    await waitFor(() => view.node('node-a') !== undefined);
    const before = view.node('node-a');
    const changes: RegistryChange[] = [];
    view.onChange((change) => changes.push(change));
    await sleep(50);
    await view.resync();
    expect(view.node('node-a')).toBe(before);
    expect(changes).toEqual([]);
    await kv.put('node-b', encodeJson(advert('node-b', [tool('echo')])));
    await waitFor(() => view.node('node-b') !== undefined);
    view.stop();
  });
});
