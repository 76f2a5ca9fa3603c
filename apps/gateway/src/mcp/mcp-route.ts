import { classifyInboundRequest } from '@modelcontextprotocol/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@easyremote/protocol';
import type { McpCallContext } from './call-context.js';
import type { McpDispatcher } from './dispatcher.js';
import { errorMessage, idOf, JsonRpcCode, jsonRpcKind, McpProtocolError, resultMessage, type JsonRpcRequest } from './jsonrpc.js';
import { initialize } from './methods/initialize.js';
import { MODERN_VERSIONS, SUPPORTED_LEGACY_VERSIONS } from './server-info.js';
import type { SessionState, SessionTokens } from './session-token.js';

export interface McpRouteDeps {
  dispatcher: McpDispatcher;
  sessions: SessionTokens;
  logger: Logger;
  maxBodyBytes: number;
}

const SESSION_HEADER = 'mcp-session-id';
const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(reply: FastifyReply, status: number, body: string, extraHeaders: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers({ 'content-type': 'application/json', ...extraHeaders }).send(body);
}

function acceptsBoth(accept: string): boolean {
  if (accept.includes('*/*')) return true;
  return accept.includes('application/json') && accept.includes('text/event-stream');
}

/**
 * `POST /mcp` for both protocol eras on one endpoint. The SDK's own classifier decides the era and
 * runs the 2026-07-28 validation ladder; 2025-era requests carry a sealed session id that any replica
 * can open, so no replica keeps session state.
 */
export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): void {
  // The body stays a string until the handler parses it, so malformed JSON becomes a JSON-RPC parse
  // error instead of a framework error page, and any content type reaches the 415 check below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: deps.maxBodyBytes }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) deps.logger.error({ err: error }, 'MCP endpoint failed');
    const message = status === 413 ? `Payload Too Large: the body exceeds ${deps.maxBodyBytes} bytes` : status >= 500 ? 'Internal error' : error.message;
    return sendJson(reply, status, errorMessage(null, status >= 500 ? JsonRpcCode.InternalError : JsonRpcCode.ServerError, message));
  });

  app.post('/mcp', async (request, reply) => {
    const contentType = header(request, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return sendJson(reply, 415, errorMessage(null, JsonRpcCode.ServerError, 'Unsupported Media Type: Content-Type must be application/json'));
    }
    if (!acceptsBoth(header(request, 'accept') ?? '')) {
      return sendJson(reply, 406, errorMessage(null, JsonRpcCode.ServerError, 'Not Acceptable: Client must accept both application/json and text/event-stream'));
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body as string);
    } catch {
      return sendJson(reply, 400, errorMessage(null, JsonRpcCode.ParseError, 'Parse error: the body is not valid JSON'));
    }
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      body,
      ...optional('protocolVersionHeader', header(request, 'mcp-protocol-version')),
      ...optional('mcpMethodHeader', header(request, 'mcp-method')),
      ...optional('mcpNameHeader', header(request, 'mcp-name')),
    });
    if (route.kind === 'reject') {
      return sendJson(reply, route.httpStatus, errorMessage(idOf(body), route.code, route.message, route.data));
    }
    if (route.kind === 'modern') {
      if (route.messageKind === 'notification') return reply.code(202).send();
      return answer(reply, deps, route.message as JsonRpcRequest, modernContext(route.message as JsonRpcRequest, abortOnClose(request, reply)));
    }
    return handleLegacy(request, reply, deps, body);
  });

  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
    sendJson(reply, 405, errorMessage(null, JsonRpcCode.ServerError, 'Method not allowed.'), { allow: 'POST' });
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

async function handleLegacy(request: FastifyRequest, reply: FastifyReply, deps: McpRouteDeps, body: unknown): Promise<FastifyReply> {
  if (Array.isArray(body)) {
    return sendJson(reply, 400, errorMessage(null, JsonRpcCode.InvalidRequest, 'Invalid Request: JSON-RPC batches are not supported'));
  }
  const kind = jsonRpcKind(body);
  if (kind === 'invalid') {
    return sendJson(reply, 400, errorMessage(idOf(body), JsonRpcCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message'));
  }
  const message = body as JsonRpcRequest;
  if (kind === 'request' && message.method === 'initialize') {
    try {
      const { result, session } = initialize(message.params, Date.now());
      return sendJson(reply, 200, resultMessage(message.id, result), { 'mcp-session-id': deps.sessions.seal(session) });
    } catch (error) {
      return sendJson(reply, 200, protocolErrorMessage(message.id, error, deps.logger));
    }
  }
  const sessionId = header(request, SESSION_HEADER);
  if (sessionId === undefined) {
    return sendJson(reply, 400, errorMessage(idOf(body), JsonRpcCode.ServerError, 'Bad Request: Mcp-Session-Id header is required'));
  }
  const session = deps.sessions.open(sessionId);
  if (!session) {
    return sendJson(reply, 404, errorMessage(idOf(body), JsonRpcCode.SessionNotFound, 'Session not found'));
  }
  const versionHeader = header(request, 'mcp-protocol-version');
  if (versionHeader !== undefined && !SUPPORTED_LEGACY_VERSIONS.includes(versionHeader)) {
    return sendJson(
      reply,
      400,
      errorMessage(idOf(body), JsonRpcCode.ServerError, `Bad Request: Unsupported protocol version ${versionHeader} (supported: ${SUPPORTED_LEGACY_VERSIONS.join(', ')})`),
    );
  }
  if (kind !== 'request') return reply.code(202).send();
  return answer(reply, deps, message, legacyContext(session, abortOnClose(request, reply)));
}

async function answer(reply: FastifyReply, deps: McpRouteDeps, message: JsonRpcRequest, context: McpCallContext): Promise<FastifyReply> {
  try {
    const result = await deps.dispatcher.dispatch(message.method, message.params ?? {}, context);
    return sendJson(reply, 200, resultMessage(message.id, result));
  } catch (error) {
    return sendJson(reply, 200, protocolErrorMessage(message.id, error, deps.logger));
  }
}

function protocolErrorMessage(id: JsonRpcRequest['id'], error: unknown, logger: Logger): string {
  if (error instanceof McpProtocolError) return errorMessage(id, error.rpcCode, error.message, error.data);
  logger.error({ err: error }, 'unexpected error while answering an MCP request');
  return errorMessage(id, JsonRpcCode.InternalError, 'Internal error');
}

function abortOnClose(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  request.raw.once('aborted', () => controller.abort());
  return controller.signal;
}

function legacyContext(session: SessionState, signal: AbortSignal): McpCallContext {
  return { era: 'legacy', protocolVersion: session.protocolVersion, clientCapabilities: session.clientCapabilities, signal };
}

function modernContext(message: JsonRpcRequest, signal: AbortSignal): McpCallContext {
  const meta = (message.params?._meta ?? {}) as Record<string, unknown>;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  return {
    era: 'modern',
    protocolVersion: MODERN_VERSIONS[0] as string,
    clientCapabilities: typeof capabilities === 'object' && capabilities !== null ? (capabilities as Record<string, unknown>) : {},
    signal,
  };
}
