import { TransportErrorCode } from '../mcp/protocol-error.js';
import type { AuthErrorCode } from '@easyremote/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';

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
