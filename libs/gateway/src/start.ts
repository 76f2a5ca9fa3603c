import { connectMesh, PayloadStore, RpcClient } from '@easyremote/mesh';
import { openRegistry, RegistryView } from '@easyremote/registry';
import type { Logger } from '@easyremote/protocol';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { buildApp } from './app.js';
import type { GatewayConfig } from './config.js';
import { createLogger } from './logger.js';
import { createMcpServices } from './mcp/create-services.js';
import { MeshHealth, resyncOnReconnect, retryOnTimeout } from './mesh-attachment.js';
import type { NatsClientOptions } from '@easyremote/mesh';
import { startMetricsListener } from './observability/metrics-listener.js';
import { startObservability } from './observability/observability.js';
import { loadSessionSecret } from './mcp/session-secret.js';
import { SessionTokens } from './mcp/session-token.js';
import { startGatewaySecurity } from './security/gateway-security.js';
import { startNodeEntitlement } from './routing/node-entitlement.js';
import { refuseToolSchemas } from './routing/schema-guard.js';

export interface GatewayHandle {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** The MCP endpoint, e.g. http://127.0.0.1:8080/mcp */
  readonly mcpUrl: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Connects to the mesh, loads the registry view, builds the app and listens. */
export async function startGateway(
  config: GatewayConfig,
  options: {
    logger?: PinoLogger;
    tracing?: boolean;
    /** NATS credentials and TLS (natsClientOptionsFromEnv). */ nats?: NatsClientOptions;
  } = {},
): Promise<GatewayHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const log = logger as unknown as Logger;
  const nc = await connectMesh({
    servers: config.natsUrl
      .split(',')
      .map((server) => server.trim())
      .filter(Boolean),
    name: 'easyremote-gateway',
    logger: log.child({ component: 'mesh' }),
    maxStartupAttempts: config.natsConnectAttempts,
    ...options.nats,
  });
  try {
    const kv = await openRegistry(nc, {
      bucket: config.registryBucket,
      replicas: config.kvReplicas,
      logger: log.child({ component: 'registry' }),
    });
    const entitlement = await startNodeEntitlement(nc, config, options.nats, log.child({ component: 'entitlement' }));
    const registry = await RegistryView.start(kv, {
      logger: log.child({ component: 'registry' }),
      entitlement,
      refuseTool: refuseToolSchemas,
    });
    resyncOnReconnect(nc, registry, log.child({ component: 'registry' }));
    // Arguments and results over NATS max_payload travel through the object store, up to maxPayloadBytes.
    const payloads = await PayloadStore.open(nc, {
      maxBytes: config.maxPayloadBytes,
      ttlMs: config.payloadTtlMs,
      replicas: config.kvReplicas,
      logger: log.child({ component: 'payloads' }),
    }).catch((error: unknown) => {
      log.warn({ err: error }, 'no payload object store: bodies over NATS max_payload will be refused');
      return undefined;
    });
    const rpc = new RpcClient(nc, payloads === undefined ? {} : { payloads });
    // Audit batches get their own client (their acks are replies), so they never count as calls in flight.
    const records = new RpcClient(nc);
    const secret = await retryOnTimeout(
      'session secret',
      () => loadSessionSecret(nc, config.sessionSecret, config.kvReplicas),
      log,
    );
    const sessions = new SessionTokens(secret, config.sessionMaxAgeMs);
    const health = new MeshHealth(nc);
    const running = await retryOnTimeout(
      'MCP services',
      () => createMcpServices(nc, { registry, rpc, sessions, config, logger: log }),
      log,
    );
    const security = await startGatewaySecurity(nc, {
      config,
      registry,
      callEvents: running.services.callEvents,
      logger: log,
      rpc: records,
    });
    const observability = await retryOnTimeout(
      'observability',
      () =>
        startObservability(nc, running.services, {
          pricing: { perNodeSecond: config.pricePerNodeSecond, perGpuSecond: config.pricePerGpuSecond },
          kvReplicas: config.kvReplicas,
          inFlight: () => rpc.pending,
          onReconnect: (listener) => health.onChange((event) => event === 'reconnect' && listener()),
          logger: log,
          tracing: options.tracing ?? false,
        }),
      log,
    );
    security.guard.onRateLimited((principal) => observability.metrics.rateLimited.inc({ principal }));
    const app = await buildApp(config, {
      services: running.services,
      security,
      logger,
      readiness: health,
      observability,
    });
    await app.listen({ host: config.host, port: config.port });
    const metricsApp =
      config.metricsListen === '' ? undefined : await startMetricsListener(config, observability, logger);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    security.identity.learn(url);
    logger.info({ url: `${url}/mcp`, nats: config.natsUrl }, 'gateway listening');
    let closed = false;
    return {
      url,
      mcpUrl: `${url}/mcp`,
      app,
      async close() {
        if (closed) return;
        closed = true;
        running.stop();
        await app.close();
        await metricsApp?.close();
        // Calls that finished while the server closed are recorded; then the batches go out.
        security.stop();
        observability.stop();
        await Promise.all([security.flush(), observability.flush()]).catch((error: unknown) =>
          log.warn({ err: error }, 'records could not be flushed at shutdown'),
        );
        registry.stop();
        entitlement.stop();
        rpc.close();
        records.close();
        await nc.drain();
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
