import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startCluster, startLeaf, startNats } from './index.js';

const natsDir = (file: string) => fileURLToPath(new URL(`../../../nats/${file}`, import.meta.url));

async function jsz(
  monitorUrl: string,
): Promise<{ config: { domain?: string }; meta_cluster: { name: string; cluster_size: number; leader?: string } }> {
  return (await (await fetch(`${monitorUrl}/jsz`)).json()) as never;
}

// The committed configs in nats/ are what these helpers run, so a typo there fails here first.
describe('startCluster / startLeaf with the committed configs', () => {
  it('starts three hub members with JetStream in domain hub, and an edge leaf', async () => {
    await using cluster = await startCluster({ configFile: natsDir('cluster.conf'), path: process.env.PATH });
    expect(cluster.members.map((member) => member.name)).toEqual(['hub-1', 'hub-2', 'hub-3']);
    expect(new Set(cluster.urls).size).toBe(3);
    const status = await jsz(cluster.members[0]!.monitorUrl);
    expect(status).toMatchObject({
      config: { domain: 'hub' },
      meta_cluster: { name: 'easyremote-hub', cluster_size: 3 },
    });
    expect(status.meta_cluster.leader).toMatch(/^hub-[123]$/);

    await using leaf = await startLeaf({
      configFile: natsDir('leaf.conf'),
      hubLeafUrls: cluster.members.map((member) => member.leafUrl),
      path: process.env.PATH,
    });
    expect(leaf.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);

    await cluster.members[1]!.server.kill();
    expect(cluster.members[1]!.server.running).toBe(false);
    await cluster.waitHealthy(10_000); // skips the stopped member
    await cluster.members[1]!.server.restart();
    await cluster.waitHealthy(20_000);
  });

  it('runs nats/dev.conf on a free port with its own store', async () => {
    await using nats = await startNats({ configFile: natsDir('dev.conf'), path: process.env.PATH });
    expect(nats.port).not.toBe(4222);
  });
});
