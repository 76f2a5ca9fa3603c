import type { FastifyInstance } from 'fastify';
import { ANALYTICS_ACCESS, METRICS_ACCESS, type RouteAccess } from '../auth/route-access.js';
import { GatewayErrorCode } from '../errors.js';
import type { Observability } from './observability.js';

/**
 * `GET /mcp/analytics/report?period=7d` (the usage report from the shared stream, so every gateway
 * answers the same; `analytics:read`) and, unless a separate metrics listener is configured,
 * `GET /metrics` (`metrics:read`).
 */
export function registerObservabilityRoutes(
  app: FastifyInstance,
  observability: Observability,
  options: { metricsOnMainListener: boolean },
): void {
  if (options.metricsOnMainListener) registerMetricsRoute(app, observability, METRICS_ACCESS);

  app.get<{ Querystring: { period?: string } }>(
    '/mcp/analytics/report',
    { config: { access: ANALYTICS_ACCESS } },
    async (request, reply) => {
      const period = request.query.period ?? '24h';
      const report = await observability.report(period);
      if (report === undefined) {
        return reply.code(400).send({
          error: {
            code: GatewayErrorCode.BadRequest,
            message: `period must look like 30m, 24h, 7d or 2w (got ${JSON.stringify(period)})`,
          },
        });
      }
      return report;
    },
  );
}

/**
 * `GET /metrics` (Prometheus text): on the main listener it needs the `metrics:read` scope (scrapers
 * send a bearer token); on the separate EASYREMOTE_METRICS_LISTEN listener it is open, and that
 * listener serves nothing else.
 */
export function registerMetricsRoute(app: FastifyInstance, observability: Observability, access: RouteAccess): void {
  app.get('/metrics', { config: { access } }, async (_request, reply) => {
    const text = await observability.metrics.text();
    return reply.type(observability.metrics.contentType).send(text);
  });
}
