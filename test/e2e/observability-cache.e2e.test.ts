import type { UsageReport } from '@easyremote/gateway';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

const OPEN = { EASYREMOTE_AUTH: 'off' };

async function call(gateway: GatewayProcess, text: string): Promise<{ text: string; execution: number }> {
  const response = await fetch(`${gateway.url}/mcp/tools/obs_cached`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { text: string; execution: number } };
  return body.result;
}

async function counter(gateway: GatewayProcess, name: string, tool: string): Promise<number> {
  const families = parsePrometheusTextFormat(await (await fetch(`${gateway.url}/metrics`)).text());
  return Number(
    families.find((family) => family.name === name)?.metrics.find((metric) => metric.labels?.tool === tool)?.value ?? 0,
  );
}

// A tool that opts in (metadata.cacheTtlMs) is answered from a cache both gateways share; hits show
// in metrics and in the usage report.
describe('observability: shared result cache', () => {
  let nats: NatsServerHandle;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gatewayA, gatewayB, node] = await Promise.all([
      spawnGateway(nats.url, OPEN),
      spawnGateway(nats.url, OPEN),
      spawnNode(nats.url, ['test/fixtures/observability-tools.ts'], { EASYREMOTE_NODE_ID: 'cache-node' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gatewayA?.stop(), gatewayB?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('answers repeated arguments from the cache on either gateway, and counts the hits', async () => {
    expect(await call(gatewayA, 'hello')).toEqual({ text: 'hello', execution: 1 });
    // The put is asynchronous; give it a moment before asking the other gateway.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await call(gatewayA, 'hello')).toEqual({ text: 'hello', execution: 1 });
    expect(await call(gatewayB, 'hello')).toEqual({ text: 'hello', execution: 1 });
    expect(await call(gatewayB, 'other')).toEqual({ text: 'other', execution: 2 });

    expect(await counter(gatewayA, 'easyremote_cache_hits_total', 'obs_cached')).toBe(1);
    expect(await counter(gatewayA, 'easyremote_cache_misses_total', 'obs_cached')).toBe(1);
    expect(await counter(gatewayB, 'easyremote_cache_hits_total', 'obs_cached')).toBe(1);
    expect(await counter(gatewayB, 'easyremote_cache_misses_total', 'obs_cached')).toBe(1);

    let report: UsageReport | undefined;
    for (let i = 0; i < 50 && (report?.total_tool_calls ?? 0) < 4; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      report = (await (await fetch(`${gatewayB.url}/mcp/analytics/report?period=1h`)).json()) as UsageReport;
    }
    expect(report!.total_tool_calls).toBe(4);
    expect(report!.cache).toEqual({ hits: 2, hit_rate: 0.5 });
    expect(report!.most_used_tools).toEqual([
      expect.objectContaining({ tool: 'obs_cached', calls: 4, cache_hits: 2, success_rate: 1 }),
    ]);
    // Only the two real executions used the node.
    expect(report!.resource_utilization).toEqual([expect.objectContaining({ node: 'cache-node', calls: 2 })]);
  });
});
