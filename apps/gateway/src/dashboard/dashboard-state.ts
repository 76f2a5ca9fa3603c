import type { ToolConflict } from '@easyremote/registry';
import type { Observability } from '../observability/observability.js';
import type { RecentCall, SeriesPoint } from '../observability/recent-calls.js';

export interface DashboardNode {
  id: string;
  tools: number;
  inFlight: number;
  maxConcurrency: number;
  latencyEwmaMs: number | null;
  errorRate: number | null;
  completed: number | null;
  gpus: number;
  cpus: number;
  lastSeenMs: number;
}

export interface DashboardState {
  now: number;
  nodes: DashboardNode[];
  tools: Array<{ name: string; providers: readonly string[] }>;
  /** Nodes that advertise a tool and get no calls for it, with why (ADR 0011). */
  conflicts: readonly ToolConflict[];
  recent: readonly RecentCall[];
  series: SeriesPoint[];
  bucketMs: number;
}

/** What the dashboard page polls: the live registry (every gateway sees the same) and this replica's recent calls. */
export function dashboardState(observability: Observability, now = Date.now()): DashboardState {
  const { registry } = observability.services;
  const nodes = [...registry.nodes().values()]
    .map(({ advert, lastSeen }) => ({
      id: advert.nodeId,
      tools: advert.tools.length,
      inFlight: advert.load.inFlight,
      maxConcurrency: advert.load.maxConcurrency,
      latencyEwmaMs: advert.load.latencyEwmaMs ?? null,
      errorRate: advert.load.errorRate ?? null,
      completed: advert.load.completed ?? null,
      gpus: advert.capabilities.gpus?.length ?? 0,
      cpus: advert.capabilities.cpus,
      lastSeenMs: Math.max(0, now - lastSeen),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    now,
    nodes,
    tools: registry.tools().map((tool) => ({ name: tool.name, providers: tool.providers })),
    conflicts: registry.conflicts(),
    recent: observability.recent.recent(),
    series: observability.recent.series(now),
    bucketMs: observability.recent.options.bucketMs,
  };
}
