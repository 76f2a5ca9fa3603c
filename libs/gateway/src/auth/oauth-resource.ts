import { type AuthErrorCode, Scope } from '@easyremote/auth';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TransportErrorCode } from '../mcp/protocol-error.js';

/**
 * This gateway's public identity as an OAuth protected resource. The base URL is configured
 * (EASYREMOTE_PUBLIC_URL) or, when not, learned once the gateway listens.
 */
export class ResourceIdentity {
  #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Set by start.ts after listening when no public URL was configured. */
  learn(baseUrl: string): void {
    if (this.#baseUrl === '') this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The resource tokens must be issued for (`aud`): the MCP endpoint. */
  get resource(): string {
    return `${this.#baseUrl}/mcp`;
  }

  get metadataUrl(): string {
    return `${this.#baseUrl}/.well-known/oauth-protected-resource`;
  }
}

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

/** RFC 6750 `WWW-Authenticate` value pointing at the RFC 9728 metadata. */
export function bearerChallenge(
  metadataUrl: string,
  error?: { error: string; description: string; scope?: string },
): string {
  const parts = [`resource_metadata="${metadataUrl}"`];
  if (error) {
    parts.unshift(`error="${error.error}"`, `error_description="${error.description.replace(/"/g, "'")}"`);
    if (error.scope) parts.push(`scope="${error.scope}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/** True for the MCP endpoint itself (JSON-RPC bodies), by the route matched; REST routes answer `{ error }`. */
export function isJsonRpcPath(request: FastifyRequest): boolean {
  return request.routeOptions.url === '/mcp';
}

/** Answers an authentication/authorisation failure in the shape the route's callers expect. */
export function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: AuthErrorCode,
  message: string,
  headers: Record<string, string>,
): FastifyReply {
  reply.code(status).headers({ 'content-type': 'application/json', ...headers });
  if (isJsonRpcPath(request))
    return reply.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: null,
        error: { code: TransportErrorCode.ServerError, message, data: { code } },
      }),
    );
  return reply.send(JSON.stringify({ error: { code, message } }));
}
