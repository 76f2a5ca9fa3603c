import { Scope } from '@easyremote/auth';
import type { FastifyInstance } from 'fastify';
import type { ResourceIdentity } from './resource-identity.js';

/**
 * RFC 9728 protected-resource metadata, at the root well-known path and the path-aware one for
 * `/mcp`: which authorization server issues tokens for this gateway, and which scopes it knows.
 */
export function registerProtectedResourceRoutes(
  app: FastifyInstance,
  deps: { identity: ResourceIdentity; issuer: string },
): void {
  const handler = async () => ({
    resource: deps.identity.resource,
    authorization_servers: deps.issuer ? [deps.issuer] : [],
    bearer_methods_supported: ['header'],
    scopes_supported: Object.values(Scope),
    resource_name: 'EasyRemote MCP gateway',
  });
  const config = { access: 'public' as const };
  app.get('/.well-known/oauth-protected-resource', { config }, handler);
  app.get('/.well-known/oauth-protected-resource/mcp', { config }, handler);
}
