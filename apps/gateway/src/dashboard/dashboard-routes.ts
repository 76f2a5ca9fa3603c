import type { FastifyInstance } from 'fastify';
import { ANALYTICS_ACCESS } from '../auth/route-access.js';
import type { Observability } from '../observability/observability.js';
import { DASHBOARD_HTML } from './dashboard-page.js';
import { dashboardState } from './dashboard-state.js';

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
    reply.header('cache-control', 'no-store').send(dashboardState(observability)),
  );
}
