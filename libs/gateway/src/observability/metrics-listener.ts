import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { httpServerLimits, parseListenAddress } from '../http-limits.js';
import type { Observability } from './observability.js';
import { registerMetricsRoute } from './observability-routes.js';

/**
 * The separate `/metrics` listener (EASYREMOTE_METRICS_LISTEN): open to whoever can reach its address,
 * so operators bind it to an interface only the scraper reaches. It serves `/metrics` and nothing
 * else, with the same slow-client limits as the main listener.
 */
export async function startMetricsListener(
  config: GatewayConfig,
  observability: Observability,
  logger: PinoLogger,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ...httpServerLimits(config),
  });
  registerMetricsRoute(app, observability, 'public');
  const { host, port } = parseListenAddress(config.metricsListen);
  await app.listen({ host, port });
  logger.info({ address: app.server.address() }, 'metrics listener up');
  return app;
}
