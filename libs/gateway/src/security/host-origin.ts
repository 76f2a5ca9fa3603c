import {
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRpcPath } from '../auth/oauth-resource.js';
import { GatewayErrorCode } from '../errors.js';

const LOOPBACK_BINDS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface HostOriginPolicy {
  /** Allowed Host header hostnames, or undefined to accept any Host. */
  hosts: string[] | undefined;
  /** Allowed Origin hostnames (requests without an Origin header always pass). */
  origins: string[];
}

/**
 * DNS-rebinding protection with safe defaults: a gateway bound to loopback accepts only loopback Host
 * names; a browser Origin must be loopback unless the operator lists others. A gateway bound to a
 * public address behind a load balancer accepts any Host unless EASYREMOTE_ALLOWED_HOSTS says
 * otherwise (the balancer's name is not known here).
 */
export function hostOriginPolicy(
  bindHost: string,
  allowedHosts: readonly string[],
  allowedOrigins: readonly string[],
): HostOriginPolicy {
  const hosts =
    allowedHosts.length > 0
      ? [...allowedHosts]
      : LOOPBACK_BINDS.has(bindHost)
        ? localhostAllowedHostnames()
        : undefined;
  const origins = allowedOrigins.length > 0 ? [...allowedOrigins] : localhostAllowedOrigins();
  return { hosts, origins };
}

export function registerHostOriginGuard(app: FastifyInstance, policy: HostOriginPolicy): void {
  // Callback style: on every request, an async hook's promise costs more than the check itself.
  app.addHook('onRequest', (request, reply, done) => {
    if (policy.hosts) {
      const host = validateHostHeader(request.headers.host, policy.hosts);
      if (!host.ok) {
        forbidden(request, reply, `Forbidden: ${host.message}`);
        return;
      }
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const verdict = validateOriginHeader(origin, policy.origins);
      if (!verdict.ok) {
        forbidden(request, reply, `Forbidden: ${verdict.message}`);
        return;
      }
    }
    done();
  });
}

/** 403 in the shape of the route's callers: JSON-RPC on `/mcp`, `{ error }` on REST and everything else. */
function forbidden(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  const code = GatewayErrorCode.HostOriginRefused;
  const body = isJsonRpcPath(request)
    ? { jsonrpc: '2.0', id: null, error: { code: -32000, message, data: { code } } }
    : { error: { code, message } };
  return reply.code(403).header('content-type', 'application/json').send(JSON.stringify(body));
}
