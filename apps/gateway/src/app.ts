import type { Logger } from '@easyremote/protocol';
import type { RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { GatewayConfig } from './config.js';
import { McpDispatcher } from './mcp/dispatcher.js';
import { registerMcpRoute } from './mcp/mcp-route.js';
import { ToolsListing } from './mcp/methods/tools-list.js';
import type { SessionTokens } from './mcp/session-token.js';
import { registerHealthRoutes, type Readiness } from './rest/health-routes.js';
import { registerToolRoutes } from './rest/tools-routes.js';
import { ArgumentValidator } from './routing/argument-validator.js';
import { ToolInvoker } from './routing/tool-invoker.js';
import { hostOriginPolicy, registerHostOriginGuard } from './security/host-origin.js';

export interface GatewayDeps {
  registry: RegistryView;
  rpc: RpcClient;
  sessions: SessionTokens;
  readiness: Readiness;
  logger: PinoLogger;
}

/**
 * Builds the gateway's HTTP application without listening, so tests can `inject()` requests and the
 * caller decides where to listen. Every route is an encapsulated plugin; shared parts come in `deps`.
 */
export async function buildApp(config: GatewayConfig, deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: config.maxBodyBytes,
    // Session ids and JSON-RPC ids are opaque strings; keep fastify from trimming or rewriting them.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const logger = deps.logger as unknown as Logger;
  registerHostOriginGuard(app, hostOriginPolicy(config.host, config.allowedHosts, config.allowedOrigins));

  const invoker = new ToolInvoker({
    registry: deps.registry,
    rpc: deps.rpc,
    validator: new ArgumentValidator(),
    defaultTimeoutMs: config.callTimeoutMs,
    logger: logger.child({ component: 'router' }),
  });
  const dispatcher = new McpDispatcher({ invoker, listing: new ToolsListing(deps.registry) });

  await app.register(async (mcp) =>
    registerMcpRoute(mcp, { dispatcher, sessions: deps.sessions, logger: logger.child({ component: 'mcp' }), maxBodyBytes: config.maxBodyBytes }),
  );
  await app.register(async (rest) => registerToolRoutes(rest, { registry: deps.registry, invoker }));
  await app.register(async (health) => registerHealthRoutes(health, deps.readiness));
  return app;
}
