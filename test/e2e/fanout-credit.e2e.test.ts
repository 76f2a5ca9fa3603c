import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, waitForProviders } from '../fixtures/placement-support.js';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// A fanned-out call runs on many nodes: the usage report, its cost analysis, the audit record and
// the dashboard's recent calls credit every chunk to the node that ran it, so utilisation and cost
// of fanned-out tools are not zero.
const FIXTURE = 'test/fixtures/placement-tools.ts';

interface NodeUsage {
  node: string;
  calls: number;
  busy_seconds: number;
  gpu_seconds: number;
  utilization: number;
  success_rate: number;
}
interface Report {
  total_tool_calls: number;
  resource_utilization: NodeUsage[];
  cost_analysis: {
    node_seconds: number;
    gpu_seconds: number;
    total_cost: number;
    by_node: Array<{ node: string; cost: number }>;
  };
}
interface AuditChunk {
  index: number;
  nodeId: string;
  durationMs: number;
  outcome: string;
}
interface AuditEntry {
  callId: string;
  tool: string;
  nodeId?: string;
  chunks?: AuditChunk[];
}

describe('fan-out work is credited to the nodes that ran the chunks', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let client: Client;
  const nodes: AppProcess[] = [];

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url, {
      EASYREMOTE_PRICE_NODE_SECOND: '0.01',
      EASYREMOTE_PRICE_GPU_SECOND: '0.1',
    });
    const node = (id: string, gpus: string) =>
      spawnNode(nats.url, [FIXTURE], {
        EASYREMOTE_NODE_ID: id,
        EASYREMOTE_MAX_CONCURRENCY: '2',
        EASYREMOTE_NODE_GPUS: gpus,
      });
    nodes.push(...(await Promise.all([node('credit-cpu', 'none'), node('credit-gpu', 'A100:81920')])));
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await waitForProviders(gateway.url, 'place_fanout_sleep', 2);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await gateway?.stop();
    await nats?.stop();
  });

  it('report, cost, audit and dashboard name each chunk’s node, with its time', async () => {
    const items = Array.from({ length: 8 }, (_, i) => i);
    const result = await callTool(client, 'place_fanout_sleep', { items, ms: 150, chunk: 1 });
    expect(result.isError).toBeFalsy();
    const ran = result.structuredContent?.nodes as string[];
    expect(ran).toHaveLength(8);
    const chunksOn = (id: string) => ran.filter((node) => node === id).length;
    expect(chunksOn('credit-cpu') + chunksOn('credit-gpu')).toBe(8);

    // Usage report: one call in total, but each node's calls are the chunks it ran, each busy > 0.
    const report = (await (await fetch(`${gateway.url}/mcp/analytics/report?period=1h`)).json()) as Report;
    expect(report.total_tool_calls).toBe(1);
    const usage = new Map(report.resource_utilization.map((entry) => [entry.node, entry]));
    for (const id of ['credit-cpu', 'credit-gpu']) {
      if (chunksOn(id) === 0) continue;
      expect(usage.get(id)).toMatchObject({ calls: chunksOn(id), success_rate: 1 });
      // Each chunk slept 150 ms on its node.
      expect(usage.get(id)!.busy_seconds).toBeGreaterThanOrEqual(0.14 * chunksOn(id));
      expect(usage.get(id)!.utilization).toBeGreaterThan(0);
    }
    expect(usage.get('credit-cpu')?.gpu_seconds ?? 0).toBe(0);
    if (chunksOn('credit-gpu') > 0) expect(usage.get('credit-gpu')!.gpu_seconds).toBeGreaterThan(0);
    const nodeSeconds = report.resource_utilization.reduce((sum, entry) => sum + entry.busy_seconds, 0);
    expect(report.cost_analysis.node_seconds).toBeCloseTo(nodeSeconds, 3);
    expect(report.cost_analysis.total_cost).toBeGreaterThan(0);
    for (const entry of report.cost_analysis.by_node) expect(entry.cost).toBeGreaterThan(0);

    // Audit: the call's record lists every chunk run with its node, duration and outcome.
    const audit = (await (await fetch(`${gateway.url}/mcp/audit?since=10m&tool=place_fanout_sleep`)).json()) as {
      records: AuditEntry[];
    };
    expect(audit.records).toHaveLength(1);
    const [record] = audit.records;
    expect(record!.nodeId).toBeUndefined();
    expect(record!.chunks).toHaveLength(8);
    expect(record!.chunks!.map((chunk) => chunk.index).sort((a, b) => a - b)).toEqual(items);
    for (const chunk of record!.chunks!) {
      expect(chunk).toMatchObject({ outcome: 'success', nodeId: ran[chunk.index] });
      expect(chunk.durationMs).toBeGreaterThanOrEqual(140);
    }

    // Dashboard: the recent call names the nodes that ran its chunks.
    const state = (await (await fetch(`${gateway.url}/mcp/dashboard/state`)).json()) as {
      recent: Array<{ tool: string; chunkNodes: string[] }>;
    };
    const recent = state.recent.find((call) => call.tool === 'place_fanout_sleep');
    expect(recent?.chunkNodes).toEqual([...new Set(ran)].sort());
  });
});
