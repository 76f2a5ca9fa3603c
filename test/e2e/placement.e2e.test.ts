import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { callTool, nodeOf, readAdvert, waitForProviders } from '../fixtures/placement-support.js';

// Placement across real node processes: a GPU-only tool never lands on a CPU node, calls can target
// a node or labels, bad placement is refused, and a full node (maxConcurrency 1) sheds load.
const FIXTURE = 'test/fixtures/placement-tools.ts';

describe('placement', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let client: Client;
  const nodes: AppProcess[] = [];
  const node = (id: string, env: Record<string, string> = {}) =>
    spawnNode(nats.url, [FIXTURE], {
      EASYREMOTE_NODE_ID: id,
      EASYREMOTE_HEARTBEAT_MS: '300',
      EASYREMOTE_NODE_GPUS: 'none',
      ...env,
    });

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url);
    nodes.push(
      ...(await Promise.all([
        node('cpu-a', { EASYREMOTE_NODE_LABELS: 'zone=eu' }),
        node('cpu-b', { EASYREMOTE_NODE_LABELS: 'zone=us' }),
        // The operator override simulates a GPU node on a machine without one.
        node('gpu-a', { EASYREMOTE_NODE_GPUS: 'A100:81920', EASYREMOTE_NODE_LABELS: 'zone=eu' }),
        node('tiny', { EASYREMOTE_MAX_CONCURRENCY: '1', EASYREMOTE_NODE_LABELS: 'pool=shed' }),
        node('roomy', { EASYREMOTE_NODE_LABELS: 'pool=shed' }),
      ])),
    );
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await waitForProviders(gateway.url, 'place_work', 5);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await gateway?.stop();
    await nats?.stop();
  });

  it('advertises GPUs from the override and the live load of each node', async () => {
    const gpu = await readAdvert(nats.url, 'gpu-a');
    expect(gpu.capabilities.gpus).toEqual([{ name: 'A100', memoryBytes: 81920 * 1024 * 1024 }]);
    const cpu = await readAdvert(nats.url, 'cpu-a');
    expect(cpu.capabilities.gpus).toEqual([]);
    expect(cpu.capabilities.cpus).toBeGreaterThan(0);
    expect(cpu.load).toMatchObject({ inFlight: 0, maxConcurrency: 64, errorRate: 0 });
  });

  it('never runs a GPU-only tool on a CPU node', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => callTool(client, 'place_gpu_only', {})));
    for (const result of results) {
      expect(result.isError).toBeFalsy();
      expect(nodeOf(result)).toBe('gpu-a');
    }
    // Asking for a CPU node explicitly is refused with a clear error, not run anyway.
    const refused = await callTool(client, 'place_gpu_only', {}, { nodeId: 'cpu-a' });
    expect(refused.isError).toBe(true);
    expect(refused._meta?.['easyremote/error']).toMatchObject({
      code: 'GW_ERR_NO_MATCHING_NODE',
      message: expect.stringContaining('no GPU') as string,
    });
  });

  it('targets a node by id (MCP _meta and REST ?node=) and filters by labels', async () => {
    for (const id of ['cpu-a', 'cpu-b', 'roomy']) {
      expect(nodeOf(await callTool(client, 'place_work', { ms: 0 }, { nodeId: id }))).toBe(id);
    }
    const rest = await fetch(`${gateway.url}/mcp/tools/place_work?node=cpu-b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ms":0}',
    });
    expect(await rest.json()).toEqual({ result: { node: 'cpu-b' }, node: 'cpu-b' });
    const us = await Promise.all(
      Array.from({ length: 10 }, () => callTool(client, 'place_work', { ms: 0 }, { labels: { zone: 'us' } })),
    );
    expect(new Set(us.map(nodeOf))).toEqual(new Set(['cpu-b']));
    const eu = await Promise.all(
      Array.from({ length: 20 }, () => callTool(client, 'place_work', { ms: 5 }, { labels: { zone: 'eu' } })),
    );
    expect(new Set(eu.map(nodeOf))).toEqual(new Set(['cpu-a', 'gpu-a']));
  });

  it('refuses malformed placement clearly (JSON-RPC -32602, REST 400)', async () => {
    await expect(callTool(client, 'place_work', { ms: 0 }, { strategy: 'fastest' as 'random' })).rejects.toMatchObject({
      code: -32602,
    });
    const rest = await fetch(`${gateway.url}/mcp/tools/place_work?label=novalue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ms":0}',
    });
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({ error: { code: 'GW_ERR_INVALID_PLACEMENT' } });
  });

  it('a full node declines at once and the call runs on another node', async () => {
    // Two gateways share the pool; neither sees the other's calls until a heartbeat, so both offer
    // work to the full node (maxConcurrency 1). It declines at once and each call moves on.
    const second = await spawnGateway(nats.url);
    const other = await connectClient(second.mcpUrl, '2025-11-25');
    try {
      await waitForProviders(second.url, 'place_work', 5);
      // Each call holds its node for 2 s, so all twelve overlap even when a loaded machine issues
      // them slowly: the full node can take only one of them.
      const call = (via: Client) =>
        callTool(via, 'place_work', { ms: 2_000 }, { labels: { pool: 'shed' }, strategy: 'round-robin' });
      const calls = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i % 2 === 0 ? client : other)));
      expect(calls.every((result) => !result.isError)).toBe(true);
      const ran = calls.map(nodeOf);
      expect(ran.filter((id) => id === 'tiny').length).toBeLessThanOrEqual(1);
      expect(ran.filter((id) => id === 'roomy').length).toBeGreaterThanOrEqual(11);
      await expect
        .poll(async () => (await readAdvert(nats.url, 'tiny')).load.declined ?? 0, { timeout: 5_000 })
        .toBeGreaterThan(0);
    } finally {
      await other.close();
      await second.stop();
    }
  });
});
