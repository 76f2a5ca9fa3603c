import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { startNats } from '@easyremote/nats-launcher';
import { REGISTRY_BUCKET, encodeJson, type Logger, type NodeAdvert } from '@easyremote/protocol';
import { NodeAdvertiser, RegistryErrorCode, openRegistry } from './index.js';

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

const advert = (nodeId: string): NodeAdvert => ({
  version: 1,
  nodeId,
  instanceId: 'i',
  startedAt: 0,
  heartbeatAt: Date.now(),
  ttlMs: 3_000,
  tools: [],
  capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
  load: { inFlight: 0, maxConcurrency: 1 },
});

describe('openRegistry', () => {
  it('creates the bucket once when many processes open it at the same time', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const connections = await Promise.all(Array.from({ length: 5 }, () => connect({ servers: nats.url })));
    const buckets = await Promise.all(connections.map((nc) => openRegistry(nc)));
    await buckets[0]!.put('node-a', encodeJson(advert('node-a')));
    const status = await buckets[4]!.status();
    expect(status.bucket).toBe(REGISTRY_BUCKET);
    expect(status.history).toBe(1);
    expect(status.ttl).toBe(60_000);
    expect(status.values).toBe(1);
    await Promise.all(connections.map((nc) => nc.close()));
  });

  it('binds to an existing bucket with other settings, and says so', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const nc = await connect({ servers: nats.url });
    await openRegistry(nc, { bucket: 'reg', maxAgeMs: 30_000 });
    const logger = memoryLogger();
    const racing = await Promise.all([
      openRegistry(nc, { bucket: 'reg', maxAgeMs: 90_000, logger }),
      openRegistry(nc, { bucket: 'reg', logger }),
    ]);
    expect((await racing[0].status()).ttl).toBe(30_000);
    expect(logger.warnings).toContain('registry bucket settings differ from the requested ones');

    // Two creates racing on a fresh bucket with different settings: the loser binds to the winner's.
    const raced = await Promise.all([
      openRegistry(nc, { bucket: 'race', maxAgeMs: 30_000, logger }),
      openRegistry(nc, { bucket: 'race', maxAgeMs: 90_000, logger }),
    ]);
    expect((await raced[0].status()).ttl).toBe((await raced[1].status()).ttl);
    await nc.close();
  });

  it('fails with a clear error when JetStream is off', async () => {
    await using nats = await startNats({ path: process.env.PATH, jetstream: false });
    const nc = await connect({ servers: nats.url });
    const error = await openRegistry(nc).then(
      () => ({ code: 'none', message: 'opened' }),
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error.code).toBe(RegistryErrorCode.OpenFailed);
    expect(error.message).toBe(`cannot open the registry bucket ${REGISTRY_BUCKET}: jetstream is not enabled`);
    await nc.close();
  });
});

describe('NodeAdvertiser failures', () => {
  it('fails start when the first put fails, and survives failing heartbeats', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const nc = await connect({ servers: nats.url });
    const kv = await openRegistry(nc, { bucket: 'reg' });
    await kv.destroy();
    const logger = memoryLogger();
    const node = new NodeAdvertiser(kv, { nodeId: 'node-a', heartbeatMs: 50, logger, advert: () => advert('node-a') });
    await expect(node.start()).rejects.toMatchObject({ code: RegistryErrorCode.AdvertiseFailed });
    expect(node.running).toBe(false);

    const again = await openRegistry(nc, { bucket: 'reg' });
    await node.start();
    await kv.destroy(); // the bucket vanishes under a running node
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logger.warnings).toContain('registry heartbeat failed; retrying at the next beat');
    await openRegistry(nc, { bucket: 'reg' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await again.get('node-a'))?.operation).toBe('PUT');
    await node.stop();
    expect((await again.get('node-a'))?.operation).toBe('DEL');
    await nc.close();
  });

  it('rejects an advert whose node id does not match', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const nc = await connect({ servers: nats.url });
    const kv = await openRegistry(nc);
    const node = new NodeAdvertiser(kv, { nodeId: 'node-a', heartbeatMs: 1_000, advert: () => advert('node-b') });
    await expect(node.start()).rejects.toThrow(/does not match/);
    expect(
      () => new NodeAdvertiser(kv, { nodeId: 'bad id', heartbeatMs: 1_000, advert: () => advert('bad id') }),
    ).toThrow(/invalid node id/);
    await nc.close();
  });
});
