import './augment.js';
import { AuthErrorCode } from '@easyremote/auth';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './authenticator.js';
import { bearerChallenge, refuse } from './challenge.js';
import type { ResourceIdentity } from './resource-identity.js';

/** The routes that need credentials: the MCP endpoint and the REST routes under it. Health, metrics and `/.well-known` stay open. */
function isProtected(url: string): boolean {
  return url === '/mcp' || url.startsWith('/mcp/') || url.startsWith('/mcp?');
}

/**
 * Authentication for every protected route, before any body is read: 401 with a `WWW-Authenticate`
 * challenge naming the protected-resource metadata on missing or bad credentials; otherwise the
 * request carries `principal` and `access` for the routes to authorise with.
 */
export function registerAuthentication(app: FastifyInstance, deps: { authenticator: Authenticator; identity: ResourceIdentity }): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' || !isProtected(request.url)) return undefined;
    const result = await deps.authenticator.authenticate(request.headers.authorization);
    if (result.ok) {
      request.principal = result.principal;
      request.access = result.access;
      return undefined;
    }
    const metadataUrl = deps.identity.metadataUrl;
    if (result.reason === 'missing') {
      return refuse(request, reply, 401, AuthErrorCode.Unauthenticated, `Unauthorized: ${result.description}`, {
        'www-authenticate': bearerChallenge(metadataUrl),
      });
    }
    return refuse(request, reply, 401, AuthErrorCode.InvalidToken, `Unauthorized: ${result.description}`, {
      'www-authenticate': bearerChallenge(metadataUrl, { error: 'invalid_token', description: result.description }),
    });
  });
}
