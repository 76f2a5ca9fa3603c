import { describe, expect, it } from 'vitest';
import { buildReport, parsePeriod } from './analytics-report.js';
import type { CallRecord } from './analytics-store.js';

let seq = 0;
function call(
  tool: string,
  nodeId: string | null,
  durationMs: number,
  outcome: CallRecord['outcome'] = 'success',
  extra: Partial<CallRecord> = {},
): CallRecord {
  seq++;
  return {
    callId: `c${seq}`,
    tool,
    nodeId,
    principal: null,
    via: 'mcp-2026-07-28',
    startedAt: 1_000 + seq,
    durationMs,
    outcome,
    errorCode: null,
    argumentsBytes: 10,
    resultBytes: 20,
    gpus: 0,
    cached: false,
    gateway: 'gw',
    ...extra,
  };
}

describe('usage report', () => {
  it('parses periods', () => {
    expect(parsePeriod('24h')).toBe(86_400_000);
    expect(parsePeriod('7d')).toBe(7 * 86_400_000);
    expect(parsePeriod('30m')).toBe(1_800_000);
    expect(parsePeriod('2w')).toBe(14 * 86_400_000);
    expect(parsePeriod('0d')).toBeUndefined();
    expect(parsePeriod('7 days')).toBeUndefined();
  });

  it('computes the seed fields, cost with GPU-seconds, and the advice', () => {
    const records = [
      ...Array.from({ length: 6 }, () => call('hot', 'a', 1_000)),
      call('slow', 'g', 40_000, 'success', { gpus: 2 }),
      call('slow', 'g', 50_000, 'success', { gpus: 2 }),
      call('flaky', 'b', 100, 'error'),
      call('flaky', 'b', 100, 'tool_error'),
      call('flaky', 'b', 100, 'error'),
      call('flaky', 'b', 100, 'success'),
      call('flaky', 'b', 100, 'success'),
      call('hot', 'a', 0, 'success', { cached: true }),
      call('missing', null, 1, 'error'),
    ];
    const providers: Record<string, number> = { hot: 1, slow: 3, flaky: 2 };
    const report = buildReport(
      records,
      { period: '1h', from: 0, to: 3_600_000 },
      { perNodeSecond: 0.01, perGpuSecond: 0.1 },
      (tool) => providers[tool] ?? 0,
    );
    expect(report.total_tool_calls).toBe(15);
    expect(report.success_rate).toBe(Number((11 / 15).toFixed(4)));
    expect(report.average_execution_time).toBe(Number(((6_000 + 90_000 + 500 + 1) / 15 / 1000).toFixed(3)));
    expect(report.most_used_tools.map((tool) => [tool.tool, tool.calls, tool.cache_hits])).toEqual([
      ['hot', 7, 1],
      ['flaky', 5, 0],
      ['slow', 2, 0],
      ['missing', 1, 0],
    ]);
    expect(report.resource_utilization).toEqual([
      {
        node: 'a',
        calls: 7,
        busy_seconds: 6,
        gpu_seconds: 0,
        utilization: Number((6 / 3600).toFixed(6)),
        success_rate: 1,
      },
      {
        node: 'b',
        calls: 5,
        busy_seconds: 0.5,
        gpu_seconds: 0,
        utilization: Number((0.5 / 3600).toFixed(6)),
        success_rate: 0.4,
      },
      { node: 'g', calls: 2, busy_seconds: 90, gpu_seconds: 180, utilization: 0.025, success_rate: 1 },
    ]);
    expect(report.cost_analysis).toMatchObject({
      node_seconds: 96.5,
      gpu_seconds: 180,
      total_cost: Number((96.5 * 0.01 + 180 * 0.1).toFixed(6)),
    });
    expect(report.cache).toEqual({ hits: 1, hit_rate: Number((1 / 15).toFixed(4)) });
    expect(report.recommendations).toEqual([
      {
        issue: 'slow_execution',
        tool: 'slow',
        recommendation: expect.stringContaining('caching'),
        potential_improvement: '27.0s faster',
      },
      { issue: 'error_prone_node', node: 'b', recommendation: expect.stringContaining('60%') },
      { issue: 'single_provider', tool: 'hot', recommendation: expect.stringContaining('only one node') },
    ]);
  });

  it('is empty but well-formed without calls', () => {
    const report = buildReport(
      [],
      { period: '24h', from: 0, to: 86_400_000 },
      { perNodeSecond: 1, perGpuSecond: 1 },
      () => 0,
    );
    expect(report).toMatchObject({
      total_tool_calls: 0,
      average_execution_time: 0,
      success_rate: 1,
      most_used_tools: [],
      resource_utilization: [],
      recommendations: [],
    });
  });
  it('credits a fanned-out call to the nodes that ran its chunks, with their GPUs', () => {
    const fanned = call('fan', null, 900, 'success', {
      chunks: [
        { index: 0, nodeId: 'a', durationMs: 400, outcome: 'success', gpus: 0 },
        { index: 1, nodeId: 'g', durationMs: 500, outcome: 'success', gpus: 2 },
        { index: 2, nodeId: 'a', durationMs: 300, outcome: 'error', gpus: 0 },
        { index: 2, nodeId: 'g', durationMs: 200, outcome: 'success', gpus: 2 },
      ],
    });
    const report = buildReport(
      [fanned, call('whole', 'a', 1_000)],
      { period: '1h', from: 0, to: 3_600_000 },
      { perNodeSecond: 1, perGpuSecond: 10 },
      () => 2,
    );
    expect(report.total_tool_calls).toBe(2);
    expect(report.resource_utilization).toEqual([
      {
        node: 'a',
        calls: 3,
        busy_seconds: 1.7,
        gpu_seconds: 0,
        utilization: Number((1.7 / 3600).toFixed(6)),
        success_rate: Number((2 / 3).toFixed(4)),
      },
      {
        node: 'g',
        calls: 2,
        busy_seconds: 0.7,
        gpu_seconds: 1.4,
        utilization: Number((0.7 / 3600).toFixed(6)),
        success_rate: 1,
      },
    ]);
    expect(report.cost_analysis).toMatchObject({
      node_seconds: 2.4,
      gpu_seconds: 1.4,
      by_node: [
        { node: 'a', cost: 1.7 },
        { node: 'g', cost: 14.7 },
      ],
    });
  });
});
