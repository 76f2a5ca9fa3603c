import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { startNats } from '@easyremote/nats-launcher';
import type { NodeAdvert } from '@easyremote/protocol';
import { NodeAdvertiser, RegistryView, openRegistry } from './index.js';

const advert = (nodeId: string): NodeAdvert => ({
  version: 1,
  nodeId,
  instanceId: 'i',
  startedAt: 0,
  heartbeatAt: Date.now(),
  ttlMs: 1_500,
  tools: [{ name: `tool-${nodeId}`, inputSchema: { type: 'object' } }],
  capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
  load: { inFlight: 0, maxConcurrency: 1 },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('registry across a nats-server restart', () => {
  it('keeps a heartbeating node visible and sees nodes that join afterwards', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const reconnecting = { servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 };
    const gateway = await connect(reconnecting);
    const compute = await connect(reconnecting);
    const view = await RegistryView.start(await openRegistry(gateway), { sweepIntervalMs: 50 });
    const nodeKv = await openRegistry(compute);
    const a = new NodeAdvertiser(nodeKv, { nodeId: 'a', heartbeatMs: 300, advert: () => advert('a') });
    await a.start();
    await sleep(100);
    const left: string[] = [];
    view.onChange((change) => change.kind === 'node-left' && left.push(change.nodeId));

    await nats.kill();
    await nats.restart();
    await sleep(1_500);
    expect(left).toEqual([]);
    expect(view.node('a')).toBeDefined();

    const b = new NodeAdvertiser(nodeKv, { nodeId: 'b', heartbeatMs: 300, advert: () => advert('b') });
    await b.start();
    const deadline = Date.now() + 1_000;
    while (view.tool('tool-b') === undefined && Date.now() < deadline) await sleep(10);
    expect(view.tools().map((t) => t.name)).toEqual(['tool-a', 'tool-b']);

    await b.stop();
    await a.stop();
    view.stop();
    await gateway.close();
    await compute.close();
  });
});
