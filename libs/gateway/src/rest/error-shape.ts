import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@easyremote/protocol';
import { isJsonRpcPath } from '../auth/oauth-resource.js';
import { GatewayErrorCode } from '../errors.js';

/** The stable code of a framework-level refusal, by HTTP status. */
function codeFor(status: number): string {
  if (status === 413) return GatewayErrorCode.PayloadTooLarge;
  if (status === 404) return GatewayErrorCode.RouteNotFound;
  if (status >= 500) return GatewayErrorCode.Internal;
  return GatewayErrorCode.BadRequest;
}

/**
 * The app-wide last line: any error no route scope handled answers in the shape of the route it hit
 * (`{ error: { code, message } }` on REST, a JSON-RPC error on /mcp), with a stable code, never a
 * stack; an error without a 4xx status is an internal one, logged with its cause. Unknown routes
 * answer the same REST shape.
 */
/**
 * Fastify's own refusals before routing (a URL it cannot decode): the same REST shape and code.
 * Passed as the `frameworkErrors` option, since they happen before any error handler is reached.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.code(status).send({ error: { code: codeFor(status), message: error.message } });
}

export function registerErrorShape(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500)
      logger.error({ err: error, method: request.method, route: request.routeOptions.url }, 'request failed');
    const code = codeFor(status);
    const message = status === 500 ? 'Internal error' : error.message;
    reply.code(status).header('content-type', 'application/json');
    if (isJsonRpcPath(request))
      return reply.send({
        jsonrpc: '2.0',
        id: null,
        error: {
          code: status === 500 ? ProtocolErrorCode.InternalError : ProtocolErrorCode.InvalidRequest,
          message,
          data: { code },
        },
      });
    return reply.send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: {
        code: GatewayErrorCode.RouteNotFound,
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
      },
    });
  });
}
