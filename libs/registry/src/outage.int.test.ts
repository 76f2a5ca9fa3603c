import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { startNats } from '@easyremote/nats-launcher';
import { encodeJson, type NodeAdvert } from '@easyremote/protocol';
import { NodeAdvertiser, RegistryView, openRegistry } from './index.js';

const TTL_MS = 600;
const advert = (nodeId: string): NodeAdvert => ({
  version: 1,
  nodeId,
  instanceId: 'i',
  startedAt: 0,
  heartbeatAt: Date.now(),
  ttlMs: TTL_MS,
  tools: [{ name: `tool-${nodeId}`, inputSchema: { type: 'object' } }],
  capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
  load: { inFlight: 0, maxConcurrency: 1 },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Silence from the registry is not evidence that nodes died: while the bucket does not answer (a
// restart, a cluster electing a new stream leader) the view keeps every node, and judges them again
// once it answers.
describe('registry view while the bucket is unavailable', () => {
  it('keeps nodes through an outage longer than their TTL, then drops only the one that stopped', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const options = { servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 };
    const gateway = await connect(options);
    const compute = await connect(options);
    const view = await RegistryView.start(await openRegistry(gateway), { sweepIntervalMs: 50, probeTimeoutMs: 200 });
    const kv = await openRegistry(compute);
    const alive = new NodeAdvertiser(kv, { nodeId: 'alive', heartbeatMs: TTL_MS / 3, advert: () => advert('alive') });
    await alive.start();
    await kv.put('dies', encodeJson(advert('dies'))); // one beat only: it "dies" during the outage
    await sleep(100);
    expect([...view.nodes().keys()].sort()).toEqual(['alive', 'dies']);

    await nats.kill();
    await sleep(4 * TTL_MS);
    expect([...view.nodes().keys()].sort()).toEqual(['alive', 'dies']);

    await nats.restart();
    const deadline = Date.now() + 5_000;
    while (view.node('dies') !== undefined && Date.now() < deadline) await sleep(20);
    expect([...view.nodes().keys()]).toEqual(['alive']);

    await alive.stop();
    view.stop();
    await gateway.close();
    await compute.close();
  });
});
