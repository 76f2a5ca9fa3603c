import './augment.js';
import { AuthErrorCode, Scope } from '@easyremote/auth';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Authenticator } from './authenticator.js';
import { bearerChallenge, refuse, type ResourceIdentity } from './oauth-resource.js';
import { OPEN_ACCESS } from '../security/call-guard.js';

/**
 * What a route needs from its caller, declared on the route itself (`config: { access }`):
 * - `'public'`: nothing (health, readiness, OAuth metadata, static pages without data);
 * - `'authenticated'`: any valid credential; the handler authorises finer (per tool, per resource);
 * - `{ scope }`: a credential holding that scope (`admin` holds every scope).
 *
 * A route that declares nothing is `'authenticated'`: a route added later is closed until its author
 * opens it on purpose.
 */
export type RouteAccess = 'public' | 'authenticated' | { readonly scope: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** One row of the route table as the access hook sees it (tests walk these). */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}

export interface RouteAccessDeps {
  /** Undefined only when authentication is explicitly off (`EASYREMOTE_AUTH=off`). */
  authenticator: Authenticator | undefined;
  identity: ResourceIdentity;
}

function accessOf(config: { access?: RouteAccess } | undefined): RouteAccess {
  return config?.access ?? 'authenticated';
}

/**
 * Authentication and route-level authorisation, decided on the route the router matched — never on
 * the URL string, so every spelling the router accepts (percent-encoded letters, a trailing slash,
 * a query) gets the same decision as the canonical path. Runs `onRequest`, before any body is read.
 * Returns the route table it guards (filled as routes are added).
 */
export function registerRouteAccess(app: FastifyInstance, deps: RouteAccessDeps): readonly RouteEntry[] {
  const table: RouteEntry[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access = accessOf(route.config as { access?: RouteAccess } | undefined);
    for (const method of methods) table.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request, reply) => {
    // No route matched: the not-found handler answers 404 and serves nothing.
    if (request.routeOptions.url === undefined) return undefined;
    const access = accessOf(request.routeOptions.config);
    if (access === 'public') return undefined;
    const authenticator = deps.authenticator;
    if (!authenticator) {
      request.access = OPEN_ACCESS;
      return undefined;
    }
    const refused = await authenticate(request, reply, authenticator, deps.identity);
    if (refused) return refused;
    if (typeof access === 'object' && !request.access?.has(access.scope)) {
      return refuse(
        request,
        reply,
        403,
        AuthErrorCode.InsufficientScope,
        `Forbidden: this route needs the ${access.scope} scope`,
        {
          'www-authenticate': bearerChallenge(deps.identity.metadataUrl, {
            error: 'insufficient_scope',
            description: `needs ${access.scope}`,
            scope: access.scope,
          }),
        },
      );
    }
    return undefined;
  });
  return table;
}

async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  authenticator: Authenticator,
  identity: ResourceIdentity,
): Promise<FastifyReply | undefined> {
  const result = await authenticator.authenticate(request.headers.authorization);
  if (result.ok) {
    request.principal = result.principal;
    request.access = result.access;
    return undefined;
  }
  const metadataUrl = identity.metadataUrl;
  if (result.reason === 'missing') {
    return refuse(request, reply, 401, AuthErrorCode.Unauthenticated, `Unauthorized: ${result.description}`, {
      'www-authenticate': bearerChallenge(metadataUrl),
    });
  }
  return refuse(request, reply, 401, AuthErrorCode.InvalidToken, `Unauthorized: ${result.description}`, {
    'www-authenticate': bearerChallenge(metadataUrl, { error: 'invalid_token', description: result.description }),
  });
}

/**
 * The caller's policy inside a handler. The access hook sets it on every non-public route, so its
 * absence means a route is serving without the hook: refuse rather than treat it as "auth off".
 */
export function requireAccess(
  request: FastifyRequest,
  reply: FastifyReply,
): NonNullable<FastifyRequest['access']> | FastifyReply {
  if (request.access) return request.access;
  return refuse(
    request,
    reply,
    401,
    AuthErrorCode.Unauthenticated,
    'Unauthorized: no credentials were established for this request',
    {},
  );
}

/** Scope needed by the mesh-wide views: dashboard state and the usage report. */
export const ANALYTICS_ACCESS: RouteAccess = { scope: Scope.AnalyticsRead };
/** Scope needed by `/metrics` when it is served on the main listener. */
export const METRICS_ACCESS: RouteAccess = { scope: Scope.MetricsRead };
/** Scope needed by audit queries and key management. */
export const ADMIN_ACCESS: RouteAccess = { scope: Scope.Admin };
