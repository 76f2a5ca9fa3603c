import type { CallRecord } from './analytics-store.js';

/** Prices for the cost analysis (any currency unit; 0 = not charged). */
export interface Pricing {
  perNodeSecond: number;
  perGpuSecond: number;
}

/** Thresholds of the optimisation advice. */
export const ADVICE = {
  /** A tool averaging more than this many seconds gets "caching or more nodes". */
  slowToolSeconds: 30,
  /** A node whose calls fail more often than this (with at least `minCalls`) is error-prone. */
  errorProneRate: 0.2,
  minCalls: 5,
  /** A tool with at least this share of all calls (and `minCalls`) is hot. */
  hotToolShare: 0.2,
} as const;

export interface ToolUsage {
  tool: string;
  calls: number;
  average_execution_time: number;
  success_rate: number;
  cache_hits: number;
}

export interface NodeUsage {
  node: string;
  /** Calls it served plus fan-out chunk runs (a fanned-out call counts once per chunk it ran here). */
  calls: number;
  busy_seconds: number;
  gpu_seconds: number;
  /** busy seconds / period seconds: the share of one slot the node was busy. */
  utilization: number;
  success_rate: number;
}

export interface Recommendation {
  issue: 'slow_execution' | 'error_prone_node' | 'single_provider';
  tool?: string;
  node?: string;
  recommendation: string;
  potential_improvement?: string;
}

export interface UsageReport {
  period: string;
  from: string;
  to: string;
  total_tool_calls: number;
  /** Seconds. */
  average_execution_time: number;
  /** 0..1; a call succeeds when it returned a result that is not an error. */
  success_rate: number;
  most_used_tools: ToolUsage[];
  resource_utilization: NodeUsage[];
  cost_analysis: {
    price_per_node_second: number;
    price_per_gpu_second: number;
    node_seconds: number;
    gpu_seconds: number;
    total_cost: number;
    by_node: Array<{ node: string; cost: number }>;
  };
  cache: { hits: number; hit_rate: number };
  recommendations: Recommendation[];
}

const PERIOD = /^(\d{1,6})(m|h|d|w)$/;
const MAX_PERIOD_MS = 366 * 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `24h`, `7d`, `30m`, `2w` → milliseconds; undefined when malformed. */
export function parsePeriod(period: string): number | undefined {
  const match = PERIOD.exec(period.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const span = amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  // Records are kept 30 days by default; a period beyond a year reads the same and is a typo.
  return amount > 0 && span <= MAX_PERIOD_MS ? span : undefined;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const ok = (record: CallRecord) => record.outcome === 'success';

/**
 * The usage report of the seed's MCPUsageAnalytics over `records` (already limited to the period),
 * with advice. `providers` tells how many nodes serve each tool now (for the single-provider advice).
 */
export function buildReport(
  records: readonly CallRecord[],
  window: { period: string; from: number; to: number },
  pricing: Pricing,
  providers: (tool: string) => number,
): UsageReport {
  const total = records.length;
  const periodSeconds = Math.max(1, (window.to - window.from) / 1000);
  const byTool = group(records, (record) => record.tool);
  const byNode = group(nodeRuns(records), (run) => run.nodeId);
  const seconds = (list: readonly CallRecord[]) => list.reduce((sum, record) => sum + record.durationMs, 0) / 1000;
  const rate = (list: readonly CallRecord[]) => (list.length === 0 ? 1 : list.filter(ok).length / list.length);

  const most_used_tools = [...byTool]
    .map(([tool, list]) => ({
      tool,
      calls: list.length,
      average_execution_time: round(seconds(list) / list.length, 3),
      success_rate: round(rate(list), 4),
      cache_hits: list.filter((record) => record.cached).length,
    }))
    .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));

  // Cached answers used no node time.
  const resource_utilization = [...byNode]
    .map(([node, list]) => {
      const ran = list.filter((run) => !run.cached);
      const busy = ran.reduce((sum, run) => sum + run.durationMs, 0) / 1000;
      return {
        node,
        calls: list.length,
        busy_seconds: round(busy, 3),
        gpu_seconds: round(
          ran.reduce((sum, run) => sum + (run.durationMs / 1000) * run.gpus, 0),
          3,
        ),
        utilization: round(busy / periodSeconds, 6),
        success_rate: round(
          list.length === 0 ? 1 : list.filter((run) => run.outcome === 'success').length / list.length,
          4,
        ),
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));

  const by_node = resource_utilization.map((usage) => ({
    node: usage.node,
    cost: round(usage.busy_seconds * pricing.perNodeSecond + usage.gpu_seconds * pricing.perGpuSecond, 6),
  }));
  const nodeSeconds = resource_utilization.reduce((sum, usage) => sum + usage.busy_seconds, 0);
  const gpuSeconds = resource_utilization.reduce((sum, usage) => sum + usage.gpu_seconds, 0);
  const hits = records.filter((record) => record.cached).length;

  return {
    period: window.period,
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    total_tool_calls: total,
    average_execution_time: total === 0 ? 0 : round(seconds(records) / total, 3),
    success_rate: round(rate(records), 4),
    most_used_tools,
    resource_utilization,
    cost_analysis: {
      price_per_node_second: pricing.perNodeSecond,
      price_per_gpu_second: pricing.perGpuSecond,
      node_seconds: round(nodeSeconds, 3),
      gpu_seconds: round(gpuSeconds, 3),
      total_cost: round(
        by_node.reduce((sum, entry) => sum + entry.cost, 0),
        6,
      ),
      by_node,
    },
    cache: { hits, hit_rate: total === 0 ? 0 : round(hits / total, 4) },
    recommendations: advise(most_used_tools, resource_utilization, total, providers),
  };
}

function advise(
  tools: readonly ToolUsage[],
  nodes: readonly NodeUsage[],
  total: number,
  providers: (tool: string) => number,
): Recommendation[] {
  const advice: Recommendation[] = [];
  for (const tool of tools) {
    if (tool.average_execution_time > ADVICE.slowToolSeconds) {
      advice.push({
        issue: 'slow_execution',
        tool: tool.tool,
        recommendation: 'Consider caching (for an idempotent tool) or adding nodes that serve it',
        potential_improvement: `${(tool.average_execution_time * 0.6).toFixed(1)}s faster`,
      });
    }
  }
  for (const node of nodes) {
    if (node.calls >= ADVICE.minCalls && 1 - node.success_rate > ADVICE.errorProneRate) {
      advice.push({
        issue: 'error_prone_node',
        node: node.node,
        recommendation: `${Math.round((1 - node.success_rate) * 100)}% of its calls failed: check its logs, drain or replace it`,
      });
    }
  }
  for (const tool of tools) {
    if (
      tool.calls >= ADVICE.minCalls &&
      tool.calls / Math.max(1, total) >= ADVICE.hotToolShare &&
      providers(tool.tool) === 1
    ) {
      advice.push({
        issue: 'single_provider',
        tool: tool.tool,
        recommendation: `${Math.round((tool.calls / total) * 100)}% of calls go to a tool only one node serves: add a provider for throughput and availability`,
      });
    }
  }
  return advice;
}

/** Work one node did: a whole call, or one chunk run of a fanned-out call. */
interface NodeRun {
  nodeId: string;
  durationMs: number;
  gpus: number;
  outcome: CallRecord['outcome'];
  cached: boolean;
}

/**
 * Each record's work on nodes: a whole call is one run on its node; a fanned-out call is its chunk
 * runs, so utilisation and cost land on the nodes that ran the chunks.
 */
function nodeRuns(records: readonly CallRecord[]): NodeRun[] {
  const runs: NodeRun[] = [];
  for (const record of records) {
    if (record.chunks !== undefined && record.chunks.length > 0) {
      for (const chunk of record.chunks)
        runs.push({
          nodeId: chunk.nodeId,
          durationMs: chunk.durationMs,
          gpus: chunk.gpus,
          outcome: chunk.outcome,
          cached: false,
        });
    } else if (record.nodeId !== null) {
      runs.push({
        nodeId: record.nodeId,
        durationMs: record.durationMs,
        gpus: record.gpus,
        outcome: record.outcome,
        cached: record.cached,
      });
    }
  }
  return runs;
}

function group<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
