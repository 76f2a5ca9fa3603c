import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@easyremote/protocol';
import { renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import type { McpCallContext } from './call-context.js';
import { STREAMING, type McpDispatcher } from './dispatcher.js';
import {
  CLIENT_CAPABILITIES_META_KEY,
  type JSONRPCRequest,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import { McpProtocolError, RequestCancelled, TransportErrorCode } from './protocol-error.js';
import { errorMessage, idOf, messageKind, resultMessage } from './answer-text.js';
import { isLogLevel } from './log-levels.js';
import { InboundClassifier } from './inbound-classifier.js';
import { initialize } from './methods/session-methods.js';
import { ResponseChannel } from './response-channel.js';
import { MODERN_VERSIONS, SUPPORTED_LEGACY_VERSIONS } from './server-info.js';
import type { McpServices } from './services.js';
import type { SessionState } from './session-token.js';

export interface McpRouteDeps {
  dispatcher: Pick<McpDispatcher, 'dispatch'>;
  services: McpServices;
  logger: Logger;
  maxBodyBytes: number;
}

/** Methods whose target (tool or prompt name, resource URI) 2026-07-28 also puts in `Mcp-Name`. */
const NAME_PARAM: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/**
 * 2026-07-28 requests repeat their method (and target) in headers so intermediaries can route without
 * parsing bodies; a request whose headers are missing or disagree with its body is refused (400).
 */
function standardHeaderProblem(request: FastifyRequest, message: JSONRPCRequest): string | undefined {
  const method = header(request, 'mcp-method');
  if (method === undefined) return 'Bad Request: the Mcp-Method header is required';
  if (method !== message.method)
    return `Bad Request: Mcp-Method ${JSON.stringify(method)} does not match the body's method ${JSON.stringify(message.method)}`;
  const key = NAME_PARAM[message.method];
  const target = key === undefined ? undefined : message.params?.[key];
  if (typeof target !== 'string') return undefined;
  const name = header(request, 'mcp-name');
  if (name === undefined) return 'Bad Request: the Mcp-Name header is required for this method';
  if (name !== target)
    return `Bad Request: Mcp-Name ${JSON.stringify(name)} does not match the body's ${key} ${JSON.stringify(target)}`;
  return undefined;
}

type ContextBase = Omit<McpCallContext, 'requestId' | 'channel' | 'signal' | 'controller'>;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(
  reply: FastifyReply,
  status: number,
  body: string,
  extraHeaders: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(status)
    .headers({ 'content-type': 'application/json', ...extraHeaders })
    .send(body);
}

function accepts(accept: string, ...types: string[]): boolean {
  return accept.includes('*/*') || types.every((type) => accept.includes(type));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `/mcp` for both protocol eras on one endpoint. The SDK's own classifier decides the era and runs the
 * 2026-07-28 validation ladder (behind a fast path for requests it has already judged,
 * inbound-classifier.ts); 2025-era requests carry a sealed session id that any replica can open,
 * with the session's later choices (log level, subscriptions, termination) shared through NATS KV.
 */
export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): void {
  const { services } = deps;
  const classifier = new InboundClassifier(MODERN_VERSIONS);
  // The body stays a string until the handler parses it, so malformed JSON becomes a JSON-RPC parse
  // error instead of a framework error page, and any content type reaches the 415 check below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: deps.maxBodyBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) deps.logger.error({ err: error }, 'MCP endpoint failed');
    const message =
      status === 413
        ? `Payload Too Large: the body exceeds ${deps.maxBodyBytes} bytes`
        : status >= 500
          ? 'Internal error'
          : error.message;
    return sendJson(
      reply,
      status,
      errorMessage(null, status >= 500 ? ProtocolErrorCode.InternalError : TransportErrorCode.ServerError, message),
    );
  });

  app.post('/mcp', async (request, reply) => {
    const contentType = header(request, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return sendJson(
        reply,
        415,
        errorMessage(
          null,
          TransportErrorCode.ServerError,
          'Unsupported Media Type: Content-Type must be application/json',
        ),
      );
    }
    if (!accepts(header(request, 'accept') ?? '', 'application/json', 'text/event-stream')) {
      return sendJson(
        reply,
        406,
        errorMessage(
          null,
          TransportErrorCode.ServerError,
          'Not Acceptable: Client must accept both application/json and text/event-stream',
        ),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body as string);
    } catch {
      return sendJson(
        reply,
        400,
        errorMessage(null, ProtocolErrorCode.ParseError, 'Parse error: the body is not valid JSON'),
      );
    }
    const route = classifier.classify(body, {
      protocolVersion: header(request, 'mcp-protocol-version'),
      method: header(request, 'mcp-method'),
      name: header(request, 'mcp-name'),
    });
    if (route.kind === 'reject') {
      return sendJson(reply, route.httpStatus, errorMessage(idOf(body), route.code, route.message, route.data));
    }
    if (route.kind === 'modern') {
      // 2026-era cancellation is the client closing the request's stream; the notification is advisory.
      if (route.messageKind === 'notification') return reply.code(202).send();
      const message = route.message as JSONRPCRequest;
      const headerProblem = standardHeaderProblem(request, message);
      if (headerProblem)
        return sendJson(reply, 400, errorMessage(message.id, TransportErrorCode.HeaderMismatch, headerProblem));
      const requested = (message.params?._meta as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY];
      if (typeof requested === 'string' && !MODERN_VERSIONS.includes(requested)) {
        return sendJson(
          reply,
          400,
          errorMessage(
            message.id,
            ProtocolErrorCode.UnsupportedProtocolVersion,
            `Unsupported protocol version: ${requested}`,
            {
              supported: [...MODERN_VERSIONS],
              requested,
            },
          ),
        );
      }
      return serve(reply, deps, message, modernContext(message));
    }
    return handleLegacyPost(request, reply, deps, body);
  });

  app.get('/mcp', async (request, reply) => {
    if (!accepts(header(request, 'accept') ?? '', 'text/event-stream')) {
      return sendJson(
        reply,
        406,
        errorMessage(null, TransportErrorCode.ServerError, 'Not Acceptable: Client must accept text/event-stream'),
      );
    }
    const session = openSession(request, reply, deps, null);
    if (!session) return reply;
    if (services.streams.full)
      return sendJson(
        reply,
        503,
        errorMessage(null, TransportErrorCode.ServerError, 'Too many open streams on this gateway'),
      );
    reply.hijack();
    services.streams.openLegacy(session.sid, new ResponseChannel(reply.raw));
    return reply;
  });

  app.delete('/mcp', async (request, reply) => {
    const session = openSession(request, reply, deps, null);
    if (!session) return reply;
    await services.sessionStore.update(session.sid, { terminated: true });
    return reply.code(200).send();
  });
}

/** The request's session, or undefined after answering 400 (missing) / 404 (unknown, expired, terminated). */
function openSession(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: McpRouteDeps,
  id: JSONRPCRequest['id'] | null,
): SessionState | undefined {
  const sessionId = header(request, 'mcp-session-id');
  if (sessionId === undefined) {
    sendJson(
      reply,
      400,
      errorMessage(id, TransportErrorCode.ServerError, 'Bad Request: Mcp-Session-Id header is required'),
    );
    return undefined;
  }
  const session = deps.services.sessions.open(sessionId);
  // A session belongs to the principal that opened it: to anyone else it is as unknown as a forged id.
  if (!session || session.principal !== request.principal || deps.services.sessionStore.get(session.sid)?.terminated) {
    const { http, jsonRpc } = renderingOf(GatewayErrorCode.SessionInvalid);
    sendJson(reply, http, errorMessage(id, jsonRpc, 'Session not found', { code: GatewayErrorCode.SessionInvalid }));
    return undefined;
  }
  return session;
}

async function handleLegacyPost(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: McpRouteDeps,
  body: unknown,
): Promise<FastifyReply> {
  if (Array.isArray(body)) {
    return sendJson(
      reply,
      400,
      errorMessage(null, ProtocolErrorCode.InvalidRequest, 'Invalid Request: JSON-RPC batches are not supported'),
    );
  }
  const kind = messageKind(body);
  if (kind === 'invalid') {
    return sendJson(
      reply,
      400,
      errorMessage(idOf(body), ProtocolErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message'),
    );
  }
  const message = body as JSONRPCRequest;
  if (kind === 'request' && message.method === 'initialize') {
    try {
      const { result, session } = initialize(message.params, Date.now(), deps.services.tasks.enabled);
      return sendJson(reply, 200, resultMessage(message.id, result), {
        'mcp-session-id': deps.services.sessions.seal({ ...session, principal: request.principal }),
      });
    } catch (error) {
      return sendJson(reply, 200, protocolErrorMessage(message.id, error, deps.logger));
    }
  }
  const session = openSession(request, reply, deps, idOf(body));
  if (!session) return reply;
  const versionHeader = header(request, 'mcp-protocol-version');
  if (versionHeader !== undefined && !SUPPORTED_LEGACY_VERSIONS.includes(versionHeader)) {
    return sendJson(
      reply,
      400,
      errorMessage(
        idOf(body),
        TransportErrorCode.ServerError,
        `Bad Request: Unsupported protocol version ${versionHeader} (supported: ${SUPPORTED_LEGACY_VERSIONS.join(', ')})`,
      ),
    );
  }
  if (kind === 'response') {
    deps.services.clientRequests.deliver(body as Record<string, unknown>);
    return reply.code(202).send();
  }
  if (kind === 'notification') {
    if (message.method === 'notifications/cancelled' && isPlainObject(message.params)) {
      const { requestId, reason } = message.params;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        deps.services.cancellation.cancel(session.sid, requestId, typeof reason === 'string' ? reason : undefined);
      }
    }
    return reply.code(202).send();
  }
  return serve(reply, deps, message, {
    era: '2025-11-25',
    protocolVersion: session.protocolVersion,
    clientCapabilities: session.clientCapabilities,
    sid: session.sid,
    logLevel: deps.services.sessionStore.get(session.sid)?.logLevel,
  });
}

/** Answers one request on its own response channel (JSON, upgraded to SSE if anything precedes the answer). */
async function serve(
  reply: FastifyReply,
  deps: McpRouteDeps,
  message: JSONRPCRequest,
  base: ContextBase,
): Promise<FastifyReply> {
  reply.hijack();
  const channel = new ResponseChannel(reply.raw);
  const controller = new AbortController();
  channel.onClose(() => {
    if (!channel.completed) controller.abort(new Error('the client closed the request'));
  });
  const context: McpCallContext = {
    ...base,
    requestId: message.id,
    channel,
    signal: controller.signal,
    controller,
    principal: reply.request.principal,
    access: reply.request.access,
    setHeader: (name, value) => reply.raw.setHeader(name, value),
  };
  try {
    const result = await deps.dispatcher.dispatch(message.method, message.params ?? {}, context);
    if (result !== STREAMING) channel.finish(resultMessage(message.id, result));
  } catch (error) {
    if (error instanceof RequestCancelled) channel.close();
    else
      channel.finish(
        protocolErrorMessage(message.id, error, deps.logger),
        error instanceof McpProtocolError ? error.httpStatus : 200,
      );
  }
  return reply;
}

function protocolErrorMessage(id: JSONRPCRequest['id'], error: unknown, logger: Logger): string {
  if (error instanceof McpProtocolError) return errorMessage(id, error.code, error.message, error.data);
  logger.error({ err: error }, 'unexpected error while answering an MCP request');
  return errorMessage(id, ProtocolErrorCode.InternalError, 'Internal error');
}

function modernContext(message: JSONRPCRequest): ContextBase {
  const meta = (message.params?._meta ?? {}) as Record<string, unknown>;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  const level = meta[LOG_LEVEL_META_KEY];
  return {
    era: '2026-07-28',
    protocolVersion: MODERN_VERSIONS[0] as string,
    clientCapabilities: isPlainObject(capabilities) ? capabilities : {},
    sid: undefined,
    logLevel: isLogLevel(level) ? level : undefined,
  };
}
