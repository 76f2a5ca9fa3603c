import type { ToolConflict } from '@easyremote/registry';
import type { FastifyInstance } from 'fastify';
import { ANALYTICS_ACCESS } from '../auth/route-access.js';
import type { Observability } from '../observability/observability.js';
import type { RecentCall, SeriesPoint } from '../observability/recent-calls.js';
import { DASHBOARD_HTML } from './dashboard-page.js';
import type { DashboardTask } from '../tasks/task-activity.js';

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
  /** Tasks created through this replica (the last 100), with their current states. */
  tasks: readonly DashboardTask[];
  series: SeriesPoint[];
  bucketMs: number;
}

/** What the dashboard page polls: the live registry (every gateway sees the same) and this replica's recent calls. */
export async function dashboardState(observability: Observability, now = Date.now()): Promise<DashboardState> {
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
    tasks: await observability.services.tasks.activity.snapshot(),
    series: observability.recent.series(now),
    bucketMs: observability.recent.options.bucketMs,
  };
}

/**
 * `GET /dashboard`: one static page (no build step, no CDN, no data in it) that polls
 * `GET /mcp/dashboard/state` every second and `GET /mcp/analytics/report` every few seconds. The data
 * routes live under `/mcp`, so the API's authentication covers them; the page sends the key given as
 * `/dashboard#key=...` (or typed into it after a 401) as a Bearer token and keeps it out of the URL sent.
 */
export function registerDashboardRoutes(app: FastifyInstance, observability: Observability): void {
  app.get('/dashboard', { config: { access: 'public' } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
      )
      .send(DASHBOARD_HTML),
  );
  app.get('/mcp/dashboard/state', { config: { access: ANALYTICS_ACCESS } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(await dashboardState(observability)),
  );
}
