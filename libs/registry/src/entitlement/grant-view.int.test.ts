import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { NodeAdvert, ToolDescriptor } from '@easyremote/protocol';
import {
  advertisedDescriptor,
  descriptorDigest,
  GrantStore,
  GrantView,
  NodeAdvertiser,
  openGrantsBucket,
  openRegistry,
  RegistryView,
  type RegistryChange,
} from '../index.js';

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

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const high: ToolDescriptor = {
  name: 'vault_open',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  metadata: { securityLevel: 'high' },
};
const downgraded: ToolDescriptor = { ...high, metadata: {} };

function advert(nodeId: string, tools: ToolDescriptor[]): NodeAdvert {
  const now = Date.now();
  return {
    version: 1,
    nodeId,
    instanceId: `${nodeId}-1`,
    startedAt: now,
    heartbeatAt: now,
    ttlMs: 5_000,
    tools,
    capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
    load: { inFlight: 0, maxConcurrency: 4 },
  };
}

/** Two gateways' worth of views on the same buckets. */
async function mesh(mode: 'open' | 'required') {
  const n = ++buckets;
  const registry = await openRegistry(nc, { bucket: `grants-reg-${n}` });
  const grants = await openGrantsBucket(nc, { bucket: `grants-${n}` });
  const gateways = await Promise.all(
    [1, 2].map(async () => {
      const entitlement = await GrantView.start(grants, { mode });
      const view = await RegistryView.start(registry, { entitlement });
      return { entitlement, view };
    }),
  );
  const nodes: NodeAdvertiser[] = [];
  const join = async (nodeId: string, tools: ToolDescriptor[]) => {
    const node = new NodeAdvertiser(registry, { nodeId, heartbeatMs: 1_000, advert: () => advert(nodeId, tools) });
    await node.start();
    nodes.push(node);
    await waitFor(() => gateways.every(({ view }) => view.node(nodeId) !== undefined));
  };
  return {
    registry,
    store: new GrantStore(grants),
    gateways,
    join,
    async [Symbol.asyncDispose]() {
      await Promise.all(nodes.map((node) => node.stop()));
      for (const { entitlement, view } of gateways) {
        view.stop();
        entitlement.stop();
      }
    },
  };
}

describe('GrantStore', () => {
  it('sets, lists and revokes grants, and refuses bad input with stable codes', async () => {
    const store = await GrantStore.open(nc, { bucket: `grants-store-${++buckets}` });
    expect(await store.set('gpu-1', ['image_*', ' echo ', 'image_*'])).toMatchObject({
      nodeId: 'gpu-1',
      tools: ['image_*', 'echo'],
    });
    await store.set('gpu-2', ['*']);
    expect((await store.list()).map((grant) => [grant.nodeId, grant.tools])).toEqual([
      ['gpu-1', ['image_*', 'echo']],
      ['gpu-2', ['*']],
    ]);
    await expect(store.set('gpu 1', ['echo'])).rejects.toMatchObject({ code: 'REG_ERR_INVALID_GRANT' });
    await expect(store.set('gpu-1', ['tools.>'])).rejects.toMatchObject({ code: 'REG_ERR_INVALID_GRANT' });
    await expect(store.set('gpu-1', [])).rejects.toMatchObject({ code: 'REG_ERR_INVALID_GRANT' });
    expect((await store.revoke('gpu-2')).tools).toEqual(['*']);
    await expect(store.revoke('gpu-2')).rejects.toMatchObject({ code: 'REG_ERR_GRANT_NOT_FOUND' });
    await expect(store.unpin('nothing')).rejects.toMatchObject({ code: 'REG_ERR_GRANT_NOT_FOUND' });
    expect((await store.list()).map((grant) => grant.nodeId)).toEqual(['gpu-1']);
  });
});

describe('GrantView behind RegistryView (two gateways)', () => {
  it('both gateways pin the first descriptor once, mesh-wide, and refuse a later downgrade the same way', async () => {
    await using m = await mesh('open');
    await m.join('zz-real', [high]);
    await waitFor(() => m.gateways.every(({ entitlement }) => entitlement.pins().length === 1));
    const pins = await m.store.pins();
    expect(pins).toMatchObject([
      { tool: 'vault_open', nodeId: 'zz-real', by: 'first-seen', digest: descriptorDigest(high) },
    ]);

    await m.join('aa-rogue', [downgraded]);
    for (const { view } of m.gateways) {
      await waitFor(() => view.conflicts().length === 1);
      expect(view.tool('vault_open')?.providers).toEqual(['zz-real']);
      expect(view.tool('vault_open')?.descriptor.metadata?.securityLevel).toBe('high');
      expect(view.conflicts()).toMatchObject([{ nodeId: 'aa-rogue', reason: 'security-downgrade' }]);
    }
  });

  it('required mode: a grant set or revoked by the operator changes the providers on every gateway at once', async () => {
    await using m = await mesh('required');
    await m.join('gpu-1', [high]);
    await m.join('gpu-2', [high]);
    for (const { view } of m.gateways) expect(view.tool('vault_open')).toBeUndefined();

    const changes: RegistryChange[] = [];
    m.gateways[0]!.view.onChange((change) => changes.push(change));
    await m.store.set('gpu-1', ['vault_*']);
    for (const { view } of m.gateways) await waitFor(() => view.tool('vault_open') !== undefined);
    for (const { view } of m.gateways) {
      expect(view.tool('vault_open')?.providers).toEqual(['gpu-1']);
      expect(view.conflicts()).toMatchObject([{ nodeId: 'gpu-2', reason: 'not-granted' }]);
    }
    expect(changes).toContainEqual({ kind: 'entitlement-changed', toolsChanged: true, catalogChanged: false });

    await m.store.revoke('gpu-1');
    for (const { view } of m.gateways) await waitFor(() => view.tool('vault_open') === undefined);
  });

  it('an operator approval switches the approved descriptor to the one a named node advertises', async () => {
    await using m = await mesh('open');
    await m.join('real', [high]);
    await waitFor(() => m.gateways.every(({ entitlement }) => entitlement.pins().length === 1));
    await m.join('other', [downgraded]);
    await waitFor(() => m.gateways.every(({ view }) => view.conflicts().length === 1));

    await m.store.approve(await advertisedDescriptor(m.registry, 'other', 'vault_open'), 'other');
    for (const { view } of m.gateways) {
      await waitFor(() => view.tool('vault_open')?.providers.join() === 'other');
      expect(view.conflicts()).toMatchObject([{ nodeId: 'real', reason: 'descriptor-differs' }]);
    }
    await expect(advertisedDescriptor(m.registry, 'other', 'missing')).rejects.toMatchObject({
      code: 'REG_ERR_INVALID_GRANT',
    });
    await expect(advertisedDescriptor(m.registry, 'nobody', 'vault_open')).rejects.toMatchObject({
      code: 'REG_ERR_INVALID_GRANT',
    });
  });
});
