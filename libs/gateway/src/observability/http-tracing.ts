import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { extractTraceRecord, hasSpanContext, startServerSpan } from '@easyremote/telemetry';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/** Largest raw body parsed just to find `_meta.traceparent` (the MCP route parses bodies itself). */
const MAX_PEEK_BYTES = 64 * 1024;

/** The JSON-RPC message of a body the MCP route left as a string, when small enough to peek into. */
function peek(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  if (body.length > MAX_PEEK_BYTES) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function metaOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const params = (body as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined;
}

/**
 * One SERVER span per HTTP request, continuing the client's trace: the `traceparent` HTTP header, or
 * else `traceparent` in the MCP request's `params._meta`. Started once the body is parsed (so `_meta`
 * can be read) and made active for the handler, so routing's NATS CLIENT spans are its children.
 * Registered on the root instance only when tracing is on.
 */
export function registerHttpTracing(app: FastifyInstance): void {
  app.addHook('preHandler', (request, reply, done) => {
    const message = peek(request.body);
    let parent = extractTraceRecord(request.headers, context.active());
    if (!hasSpanContext(parent)) parent = extractTraceRecord(metaOf(message), parent);
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '/';
    const method = (message as { method?: unknown } | undefined)?.method;
    const span = startServerSpan(`${request.method} ${route}`, parent, {
      'http.request.method': request.method,
      'http.route': route,
      'url.path': request.url.split('?')[0] ?? '/',
      ...(typeof method === 'string' ? { 'rpc.method': method } : {}),
    });
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}
