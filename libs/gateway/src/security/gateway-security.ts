import type { RpcClient } from '@easyremote/mesh';
import { AuditLog, KeyStore, KeyView, RateLimiter, openKeyBucket } from '@easyremote/auth';
import type { Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import { Authenticator } from '../auth/authenticator.js';
import { registerProtectedResourceRoutes, ResourceIdentity } from '../auth/oauth-resource.js';
import { registerRouteAccess, type RouteEntry } from '../auth/route-access.js';
import type { GatewayConfig } from '../config.js';
import type { CallEvents } from '../pipeline/call-events.js';
import { startAuditRecorder } from './audit-recorder.js';
import { registerAuditRoutes, registerKeyRoutes } from './admin-routes.js';
import { CallGuard } from './call-guard.js';
import { registerInputLimits } from './input-limits.js';
import { registerRestGuard } from './rest-guard.js';

/** Everything security-related one replica runs: built by start.ts, mounted by buildApp. */
export interface GatewaySecurity {
  identity: ResourceIdentity;
  guard: CallGuard;
  /** Undefined when EASYREMOTE_AUTH=off. */
  authenticator: Authenticator | undefined;
  /** Key management (REST, admin scope); undefined when EASYREMOTE_AUTH=off. */
  keys: KeyStore | undefined;
  audit: AuditLog | undefined;
  issuer: string;
  /** Sends the audit records queued so far (shutdown). */
  flush(): Promise<void>;
  stop(): void;
}

export async function startGatewaySecurity(
  nc: NatsConnection,
  deps: { config: GatewayConfig; registry: RegistryView; callEvents: CallEvents; logger: Logger; rpc?: RpcClient },
): Promise<GatewaySecurity> {
  const { config, logger } = deps;
  const identity = new ResourceIdentity(config.publicUrl);
  const stops: Array<() => void> = [];
  let authenticator: Authenticator | undefined;
  let keyStore: KeyStore | undefined;
  if (config.auth === 'on') {
    const bucket = await openKeyBucket(nc, { bucket: config.keysBucket, replicas: config.kvReplicas });
    keyStore = new KeyStore(bucket);
    const keys = await KeyView.start(bucket, { logger: logger.child({ component: 'api-keys' }) });
    stops.push(() => keys.stop());
    // jose (JWT and JWKS) loads only for a gateway that accepts OAuth tokens.
    const oauth = config.oauthIssuer
      ? new (await import('../auth/oauth-verifier.js')).OAuthVerifier({
          issuer: config.oauthIssuer,
          jwksUrl: config.oauthJwksUrl || `${config.oauthIssuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
          get audience() {
            return identity.resource;
          },
        })
      : undefined;
    authenticator = new Authenticator({ keys, oauth });
  } else {
    logger.warn({ host: config.host }, 'authentication is OFF (EASYREMOTE_AUTH=off): every caller may call every tool');
  }
  const limiter = async (limit: number, stream: string) =>
    limit > 0
      ? RateLimiter.open(nc, { limit, windowMs: config.rateWindowMs, stream, replicas: config.kvReplicas })
      : undefined;
  const guard = new CallGuard({
    registry: deps.registry,
    perPrincipal: await limiter(config.rateLimit, 'EASYREMOTE_RATE'),
    perTool: await limiter(config.rateLimitPerTool, 'EASYREMOTE_RATE_TOOL'),
    logger: logger.child({ component: 'rate-limit' }),
  });
  let audit: AuditLog | undefined;
  if (config.audit === 'on') {
    const auditLogger = logger.child({ component: 'audit' });
    audit = await AuditLog.open(nc, {
      replicas: config.kvReplicas,
      ...(deps.rpc ? { rpc: deps.rpc } : {}),
      onLost: (error, records) => auditLogger.error({ err: error, records }, 'audit records could not be written'),
    });
    stops.push(startAuditRecorder(deps.callEvents, audit, auditLogger));
  }
  return {
    identity,
    guard,
    authenticator,
    keys: keyStore,
    audit,
    issuer: config.oauthIssuer,
    flush: async () => audit?.flush(),
    stop() {
      for (const stop of stops) stop();
    },
  };
}

/**
 * Mounts the security layers on the app, before any route: route access (authentication and route
 * scopes, on the matched route), input limits, REST authorisation, metadata, audit query. Returns the
 * route table the access hook guards.
 */
export async function mountGatewaySecurity(
  app: FastifyInstance,
  security: GatewaySecurity,
  config: GatewayConfig,
): Promise<readonly RouteEntry[]> {
  const routes = registerRouteAccess(app, { authenticator: security.authenticator, identity: security.identity });
  registerInputLimits(app, {
    maxDepth: config.maxJsonDepth,
    maxStringLength: config.maxStringLength,
    maxKeys: config.maxJsonKeys,
    maxItems: config.maxJsonItems,
  });
  registerRestGuard(app, { identity: security.identity });
  await app.register(async (wellKnown) =>
    registerProtectedResourceRoutes(wellKnown, { identity: security.identity, issuer: security.issuer }),
  );
  const keys = security.keys;
  if (keys) await app.register(async (admin) => registerKeyRoutes(admin, { keys, identity: security.identity }));
  const audit = security.audit;
  if (audit) await app.register(async (admin) => registerAuditRoutes(admin, { audit, identity: security.identity }));
  return routes;
}
