import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { callTool, waitForProviders } from '../fixtures/placement-support.js';

// Fan-out across real node processes: chunks spread over the nodes, merge in chunk order, report
// progress per chunk, plan-split tools merge through their own function on a node, and a node killed
// in the middle of a fan-out loses no chunk.
const FIXTURE = 'test/fixtures/placement-tools.ts';
const HEARTBEAT_MS = 200;

interface FanoutMeta {
  chunks: number;
  nodes: string[];
  retries: number;
  failed: Array<{ index: number; code: string }>;
}

const fanoutOf = (result: { _meta?: Record<string, unknown> }) =>
  result._meta?.['easyremote/fanout'] as FanoutMeta | undefined;

describe('fan-out', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let client: Client;
  const nodes = new Map<string, AppProcess>();
  const node = async (id: string, env: Record<string, string> = {}) => {
    const app = await spawnNode(nats.url, [FIXTURE], {
      EASYREMOTE_NODE_ID: id,
      EASYREMOTE_MAX_CONCURRENCY: '2',
      EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      EASYREMOTE_NODE_GPUS: 'none',
      ...env,
    });
    nodes.set(id, app);
  };

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url);
    await Promise.all(['fan-a', 'fan-b', 'fan-c'].map((id) => node(id)));
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await waitForProviders(gateway.url, 'place_fanout_sleep', 3);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    await gateway?.stop();
    await nats?.stop();
  });

  it('splits an array over every node, merges in chunk order and reports progress per chunk', async () => {
    const items = Array.from({ length: 24 }, (_, i) => i);
    const progress: Array<{ progress: number; total?: number }> = [];
    const result = await callTool(
      client,
      'place_fanout_sleep',
      { items, ms: 50, chunk: 2 },
      undefined,
      {},
      { onprogress: (p) => progress.push(p) },
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ doubled: items.map((x) => x * 2), chunks: 12 });
    expect(new Set(result.structuredContent?.nodes as string[])).toEqual(new Set(['fan-a', 'fan-b', 'fan-c']));
    expect(fanoutOf(result)).toMatchObject({ chunks: 12, nodes: ['fan-a', 'fan-b', 'fan-c'], retries: 0, failed: [] });
    expect(progress.map((p) => p.progress)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === 12)).toBe(true);
  });

  it('runs a small call whole, and a plan-split tool through its own merge function', async () => {
    const whole = await callTool(client, 'place_fanout_sleep', { items: [1], ms: 0 });
    expect(whole.structuredContent).toEqual({ doubled: [2], nodes: [expect.any(String) as string], chunks: 1 });
    expect(fanoutOf(whole)).toBeUndefined();
    const planned = await callTool(client, 'place_plan_sum', { upTo: 1000, step: 100 });
    expect(planned.structuredContent).toEqual({ sum: 499_500, parts: 10 });
    expect(fanoutOf(planned)).toMatchObject({ chunks: 10, failed: [] });
  });

  it('loses no chunk when a node is killed during the fan-out', async () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    const pending = callTool(client, 'place_fanout_sleep', { items, ms: 300 });
    // 6 chunks run at a time (3 nodes × 2): fan-c dies holding two of them, in the first wave.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await nodes.get('fan-c')?.kill();
    nodes.delete('fan-c');
    const result = await pending;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent?.doubled).toEqual(items.map((x) => x * 2));
    const meta = fanoutOf(result);
    expect(meta?.failed).toEqual([]);
    expect(meta?.retries).toBeGreaterThanOrEqual(1);
    expect(result.structuredContent?.nodes as string[]).not.toContain('fan-c');
  }, 30_000);

  it('fails the call naming the failed chunks, or merges the rest, as the tool policy says', async () => {
    const strict = await callTool(client, 'place_fanout_fail', { items: [0, 1, 2, 3, 4, 5], failAt: [4] });
    expect(strict.isError).toBe(true);
    const error = strict._meta?.['easyremote/error'] as { code: string; message: string; data: FanoutMeta };
    expect(error.code).toBe('GW_ERR_FANOUT_FAILED');
    expect(error.message).toContain('#4 FIXTURE_ERR_CHUNK after 1 attempt(s): item 4 is refused');
    expect(error.data.failed).toEqual([
      { index: 4, code: 'FIXTURE_ERR_CHUNK', message: 'item 4 is refused', attempts: 1 },
    ]);
    const partial = await callTool(client, 'place_fanout_partial', { items: [0, 1, 2, 3, 4, 5], failAt: [1, 4] });
    expect(partial.isError).toBeFalsy();
    expect(partial.structuredContent).toEqual({ items: [0, 2, 3, 5] });
    expect(fanoutOf(partial)?.failed.map((f) => [f.index, f.code])).toEqual([
      [1, 'FIXTURE_ERR_CHUNK'],
      [4, 'FIXTURE_ERR_CHUNK'],
    ]);
  });

  it('retries a chunk that crashed on one node on another node', async () => {
    await node('fan-flaky', { PLACEMENT_FIXTURE_FLAKY: '1' });
    await waitForProviders(gateway.url, 'place_fanout_sleep', 3);
    const items = Array.from({ length: 12 }, (_, i) => i);
    const result = await callTool(client, 'place_fanout_sleep', { items, ms: 20 });
    expect(result.isError, JSON.stringify(result._meta)).toBeFalsy();
    expect(result.structuredContent?.doubled).toEqual(items.map((x) => x * 2));
    expect(fanoutOf(result)?.retries).toBeGreaterThanOrEqual(1);
    expect(fanoutOf(result)?.nodes).not.toContain('fan-flaky');
  });
});
