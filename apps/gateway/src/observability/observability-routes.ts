import type { FastifyInstance } from 'fastify';
import { GatewayErrorCode } from '../errors.js';
import type { Observability } from './observability.js';

/**
 * `GET /metrics` (Prometheus text) and `GET /mcp/analytics/report?period=7d` (the usage report from the
 * shared stream, so every gateway answers the same). Registered inside the normal app, so the auth
 * hooks that guard the API guard these too.
 */
export function registerObservabilityRoutes(app: FastifyInstance, observability: Observability): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await observability.metrics.text();
    return reply.type(observability.metrics.contentType).send(text);
  });

  app.get<{ Querystring: { period?: string } }>('/mcp/analytics/report', async (request, reply) => {
    const period = request.query.period ?? '24h';
    const report = await observability.report(period);
    if (report === undefined) {
      return reply.code(400).send({
        error: { code: GatewayErrorCode.BadRequest, message: `period must look like 30m, 24h, 7d or 2w (got ${JSON.stringify(period)})` },
      });
    }
    return report;
  });
}
