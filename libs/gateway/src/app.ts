import './fastify-augment.js';
import type { Logger } from '@easyremote/protocol';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { GatewayConfig } from './config.js';
import { registerDashboardRoutes } from './dashboard/dashboard.js';
import { McpDispatcher } from './mcp/dispatcher.js';
import { registerMcpRoute } from './mcp/mcp-route.js';
import type { McpServices } from './mcp/services.js';
import { httpServerLimits } from './http-limits.js';
import { registerHttpTracing } from './observability/http-tracing.js';
import type { Observability } from './observability/observability.js';
import { createCallPipeline } from './pipeline/create-pipeline.js';
import { registerObservabilityRoutes } from './observability/observability-routes.js';
import {
  registerFrontDoorRoutes,
  registerHealthRoutes,
  type Readiness,
  registerResourceRoutes,
} from './rest/front-door-routes.js';
import { registerToolRoutes } from './rest/tools-routes.js';
import { registerTaskRoutes } from './rest/task-routes.js';
import { frameworkErrors, registerErrorShape } from './rest/error-shape.js';
import { hostOriginPolicy, registerHostOriginGuard } from './security/host-origin.js';
import { mountGatewaySecurity, type GatewaySecurity } from './security/gateway-security.js';
import { SecuredDispatcher } from './security/secured-dispatcher.js';

export interface GatewayDeps {
  services: McpServices;
  readiness: Readiness;
  logger: PinoLogger;
  /** Authentication, authorisation, rate limits, input limits and audit (authentication may be off, explicitly). */
  security: GatewaySecurity;
  /** Metrics, analytics and the dashboard (GET /metrics, /mcp/analytics/report, /dashboard); absent in bare tests. */
  observability?: Observability;
}

/**
 * Builds the gateway's HTTP application without listening, so tests can `inject()` requests and the
 * caller decides where to listen. Every route is an encapsulated plugin; shared parts come in `deps`.
 */
export async function buildApp(config: GatewayConfig, deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request logging on the hot path costs more than the call itself; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // No pino child per request (a request-id binding on every call cost ~1% of the gateway's CPU);
    // the gateway's own log lines carry call ids and trace ids instead.
    childLoggerFactory: (logger) => logger,
    bodyLimit: config.maxBodyBytes,
    frameworkErrors,
    routerOptions: { ignoreTrailingSlash: true },
    ...httpServerLimits(config),
  });
  const logger = deps.logger as unknown as Logger;
  const { services } = deps;
  registerErrorShape(app, logger);
  registerHostOriginGuard(app, hostOriginPolicy(config.host, config.allowedHosts, config.allowedOrigins));
  app.decorate('routeTable', await mountGatewaySecurity(app, deps.security, config));
  // Every tool call from either door runs through this one pipeline (pipeline/create-pipeline.ts).
  const calls = createCallPipeline({
    registry: services.registry,
    guard: deps.security.guard,
    identity: deps.security.identity,
    callEvents: services.callEvents,
    resultCache: services.resultCache,
    runner: services.runner,
    logger: logger.child({ component: 'calls' }),
  });
  const dispatcher = new SecuredDispatcher(new McpDispatcher(services, calls), deps.security.identity);

  await app.register(async (mcp) =>
    registerMcpRoute(mcp, {
      dispatcher,
      services,
      logger: logger.child({ component: 'mcp' }),
      maxBodyBytes: config.maxBodyBytes,
    }),
  );
  await app.register(async (rest) => {
    registerToolRoutes(rest, { registry: services.registry, calls, tasks: services.tasks });
    registerTaskRoutes(rest, { tasks: services.tasks.operations });
    registerResourceRoutes(rest, services);
  });
  await app.register(async (health) => {
    registerHealthRoutes(health, deps.readiness);
    registerFrontDoorRoutes(health);
  });
  const { observability } = deps;
  if (observability) {
    if (observability.tracing) registerHttpTracing(app);
    await app.register(async (obs) => {
      registerObservabilityRoutes(obs, observability, { metricsOnMainListener: config.metricsListen === '' });
      registerDashboardRoutes(obs, observability);
    });
  }
  return app;
}
