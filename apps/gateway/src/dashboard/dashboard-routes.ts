import type { FastifyInstance } from 'fastify';
import type { Observability } from '../observability/observability.js';
import { DASHBOARD_HTML } from './dashboard-page.js';
import { dashboardState } from './dashboard-state.js';

/**
 * `GET /dashboard`: one static page (no build step, no CDN) that polls `GET /dashboard/state` every
 * second and `GET /mcp/analytics/report` every few seconds. Part of the normal app, so the same auth
 * hooks as the API apply; the page forwards a key given as `/dashboard#key=...` as a Bearer token.
 */
export function registerDashboardRoutes(app: FastifyInstance, observability: Observability): void {
  app.get('/dashboard', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
      .send(DASHBOARD_HTML),
  );
  app.get('/dashboard/state', async (_request, reply) => reply.header('cache-control', 'no-store').send(dashboardState(observability)));
}
