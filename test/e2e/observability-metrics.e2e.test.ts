import type { UsageReport } from '@easyremote/gateway';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// Two gateways, one node (with its own metrics listener): /metrics parses as Prometheus text with a
// real parser and moves with calls; the usage report matches a known call sequence exactly from
// either gateway, over REST and through `easyremote report`.
const OPEN = { EASYREMOTE_AUTH: 'off', EASYREMOTE_PRICE_NODE_SECOND: '0.5', EASYREMOTE_PRICE_GPU_SECOND: '2' };

async function scrape(url: string): Promise<PromFamily[]> {
  return parsePrometheusTextFormat(await scrapeText(url));
}

async function scrapeText(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/**
 * Observations in one labelled series of a histogram (its `+Inf` bucket). The parser flattens a
 * histogram family's buckets as if it had one series (and keeps `_count` only for label-less ones), so
 * it is given that family's HELP/TYPE lines and the one tool's samples only.
 */
function histogramCount(text: string, name: string, tool: string): number {
  const lines = text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`# HELP ${name} `) ||
        line.startsWith(`# TYPE ${name} `) ||
        (line.startsWith(`${name}_`) && line.includes(`tool="${tool}"`)),
    );
  const family = parsePrometheusTextFormat(`${lines.join('\n')}\n`).find((entry) => entry.name === name);
  expect(family?.type).toBe('HISTOGRAM');
  return Number(family?.metrics[0]?.buckets?.['+Inf']);
}

function sample(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((entry) => entry.name === name);
  if (!family) throw new Error(`no metric ${name}`);
  const found = family.metrics.find((metric) =>
    Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
  );
  if (!found) return 0;
  return Number(found.value ?? found.count);
}

describe('observability: metrics and usage analytics across two gateways', () => {
  let nats: NatsServerHandle;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let node: AppProcess;
  let nodeMetricsUrl: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gatewayA, gatewayB, node] = await Promise.all([
      spawnGateway(nats.url, OPEN),
      spawnGateway(nats.url, OPEN),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], {
        EASYREMOTE_NODE_ID: 'metrics-node',
        EASYREMOTE_METRICS_PORT: '0',
      }),
    ]);
    nodeMetricsUrl = String((await node.waitForLog('node serving')).metrics);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all([gatewayA?.stop(), gatewayB?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('serves Prometheus text whose counters move with calls, on the gateway and the node', async () => {
    const before = await scrape(`${gatewayA.url}/metrics`);
    expect(sample(before, 'easyremote_tool_calls_total', { tool: 'fixture.add', outcome: 'success' })).toBe(0);
    expect(sample(before, 'easyremote_registry_nodes')).toBe(1);
    expect(sample(before, 'easyremote_registry_tools')).toBeGreaterThanOrEqual(5);
    expect(sample(before, 'easyremote_tool_providers', { tool: 'fixture.add' })).toBe(1);
    expect(before.find((family) => family.name === 'easyremote_rate_limited_total')?.type).toBe('COUNTER');
    expect(before.find((family) => family.name === 'easyremote_nats_reconnects_total')?.type).toBe('COUNTER');

    const client = await connectClient(gatewayA.mcpUrl, '2025-11-25');
    clients.push(client);
    for (const [a, b] of [
      [1, 2],
      [3, 4],
      [5, 6],
    ]) {
      const result = await client.callTool({ name: 'fixture.add', arguments: { a, b } });
      expect(result.isError).toBeFalsy();
    }
    for (let i = 0; i < 2; i++)
      expect((await client.callTool({ name: 'fixture_tool_error', arguments: {} })).isError).toBe(true);
    expect((await client.callTool({ name: 'fixture_throw', arguments: {} })).isError).toBe(true);

    const afterText = await scrapeText(`${gatewayA.url}/metrics`);
    const after = parsePrometheusTextFormat(afterText);
    expect(sample(after, 'easyremote_tool_calls_total', { tool: 'fixture.add', outcome: 'success' })).toBe(3);
    expect(histogramCount(afterText, 'easyremote_tool_call_duration_seconds', 'fixture.add')).toBe(3);
    expect(histogramCount(afterText, 'easyremote_tool_call_duration_seconds', 'fixture_tool_error')).toBe(2);
    const errorsOf = (tool: string) =>
      after
        .find((family) => family.name === 'easyremote_tool_call_errors_total')!
        .metrics.filter((metric) => metric.labels?.tool === tool)
        .reduce((sum, metric) => sum + Number(metric.value), 0);
    expect(errorsOf('fixture_tool_error')).toBe(2);
    expect(errorsOf('fixture_throw')).toBe(1);
    expect(sample(after, 'easyremote_calls_in_flight')).toBe(0);
    // Gateway B served none of them: metrics are per replica.
    expect(
      sample(await scrape(`${gatewayB.url}/metrics`), 'easyremote_tool_calls_total', {
        tool: 'fixture.add',
        outcome: 'success',
      }),
    ).toBe(0);

    const nodeText = await scrapeText(nodeMetricsUrl);
    const nodeMetrics = parsePrometheusTextFormat(nodeText);
    expect(sample(nodeMetrics, 'easyremote_node_tool_calls_total', { tool: 'fixture.add', outcome: 'success' })).toBe(
      3,
    );
    expect(
      sample(nodeMetrics, 'easyremote_node_tool_calls_total', { tool: 'fixture_tool_error', outcome: 'error' }),
    ).toBe(2);
    expect(histogramCount(nodeText, 'easyremote_node_tool_call_duration_seconds', 'fixture.add')).toBe(3);
    expect(sample(nodeMetrics, 'easyremote_node_tools')).toBeGreaterThanOrEqual(5);
  });

  it('the usage report matches the call sequence exactly, from either gateway', async () => {
    const report = async (gateway: GatewayProcess) =>
      (await (await fetch(`${gateway.url}/mcp/analytics/report?period=1h`)).json()) as UsageReport;
    // Records reach the stream asynchronously: wait until all six are there.
    let fromA = await report(gatewayA);
    for (let i = 0; i < 50 && fromA.total_tool_calls < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      fromA = await report(gatewayA);
    }
    const fromB = await report(gatewayB);
    const stable = (r: UsageReport) => ({
      ...r,
      from: undefined,
      to: undefined,
      resource_utilization: r.resource_utilization.map((n) => ({ ...n, utilization: undefined })),
    });
    expect(stable(fromB)).toEqual(stable(fromA));

    expect(fromA.period).toBe('1h');
    expect(fromA.total_tool_calls).toBe(6);
    expect(fromA.success_rate).toBe(0.5);
    expect(fromA.most_used_tools.map((t) => [t.tool, t.calls, t.success_rate, t.cache_hits])).toEqual([
      ['fixture.add', 3, 1, 0],
      ['fixture_tool_error', 2, 0, 0],
      ['fixture_throw', 1, 0, 0],
    ]);
    expect(fromA.resource_utilization).toHaveLength(1);
    const usage = fromA.resource_utilization[0]!;
    expect(usage).toMatchObject({ node: 'metrics-node', calls: 6, gpu_seconds: 0, success_rate: 0.5 });
    const sumSeconds = fromA.most_used_tools.reduce((sum, t) => sum + t.average_execution_time * t.calls, 0);
    expect(usage.busy_seconds).toBeCloseTo(sumSeconds, 2);
    // Both sides are rounded to milliseconds before this comparison, so allow one rounding step.
    expect(Math.abs(fromA.average_execution_time - usage.busy_seconds / 6)).toBeLessThanOrEqual(0.0011);
    expect(fromA.cost_analysis).toMatchObject({ price_per_node_second: 0.5, price_per_gpu_second: 2, gpu_seconds: 0 });
    expect(fromA.cost_analysis.total_cost).toBeCloseTo(usage.busy_seconds * 0.5, 5);
    expect(fromA.cache).toEqual({ hits: 0, hit_rate: 0 });
    // Half the node's calls failed (>= 5 calls, > 20 %): error-prone; no tool is slow or hot enough.
    expect(fromA.recommendations).toEqual([
      { issue: 'error_prone_node', node: 'metrics-node', recommendation: expect.stringContaining('50%') },
    ]);

    expect((await fetch(`${gatewayB.url}/mcp/analytics/report?period=soon`)).status).toBe(400);
  });

  it('easyremote report prints the same report as a table and as JSON', async () => {
    const run = async (args: string[]) => {
      const cli = runCli(['report', ...args]);
      const code = await new Promise<number | null>((resolve) => cli.child.on('exit', resolve));
      // The first stderr line names the gateway asked; the report follows.
      expect(cli.lines[0]).toMatch(/^easyremote report: gateway http:\/\/127\.0\.0\.1:\d+ \(from --gateway\)$/);
      return { code, out: cli.lines.slice(1).join('\n') };
    };
    const json = await run(['--period', '1h', '--gateway', gatewayB.url, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as Record<string, unknown>;
    expect(parsed.total_tool_calls).toBe(6);
    const text = await run(['--period', '1h', '--gateway', gatewayA.url]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/total tool calls\s+6/);
    expect(text.out).toMatch(/fixture\.add\s+3\s+/);
    expect(text.out).toContain('[error_prone_node] metrics-node');
  });
  it('counts rate-limit refusals per principal', async () => {
    const limited = await spawnGateway(nats.url, {
      ...OPEN,
      EASYREMOTE_RATE_LIMIT: '2',
      EASYREMOTE_RATE_WINDOW_MS: '60000',
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${limited.url}/mcp/tools/fixture.add`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ a: i, b: 1 }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
      const families = await scrape(`${limited.url}/metrics`);
      expect(sample(families, 'easyremote_rate_limited_total', { principal: 'anonymous' })).toBe(2);
    } finally {
      await limited.stop();
    }
  });
});
