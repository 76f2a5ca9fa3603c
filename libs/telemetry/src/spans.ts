import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { extractTraceHeaders, injectTraceHeaders, type HeaderReader } from './trace-context.js';

/** The instrumentation scope every EasyRemote span is created under. */
export const TRACER_NAME = '@easyremote/telemetry';

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Span attribute names used across the mesh (OpenTelemetry semantic names where one exists). */
export const SpanAttributes = {
  tool: 'easyremote.tool',
  nodeId: 'easyremote.node_id',
  callId: 'easyremote.call_id',
  chunk: 'easyremote.chunk',
  outcome: 'easyremote.outcome',
  messagingSystem: 'messaging.system',
  destination: 'messaging.destination.name',
} as const;

/** What span callbacks get while tracing is off: records nothing, like the API's own no-op spans. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether spans or trace context can go anywhere: an OpenTelemetry SDK (tracer provider) or a
 * propagator is registered. When neither is, a span records nothing and injects nothing, so the
 * span helpers below skip building them (no span, context or attribute objects per call).
 */
export function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  if (!(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(TRACER_NAME) !== undefined) return true;
  return propagation.fields().length > 0;
}

/** `fn` run without a span: its result as a promise, a synchronous throw as a rejection. */
function untraced<T>(fn: (span: Span) => Promise<T> | T): Promise<T> {
  try {
    return Promise.resolve(fn(NOOP_SPAN));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

async function runInSpan<T>(span: Span, ctx: Context, fn: (span: Span) => Promise<T> | T): Promise<T> {
  try {
    return await context.with(trace.setSpan(ctx, span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `fn` in a CLIENT span whose context is injected into `headers` (a NATS request's header record)
 * before `fn` runs, so the receiver continues the trace. One call = one span; a fan-out chunk is one call.
 */
export function withClientSpan<T>(
  name: string,
  headers: Record<string, string>,
  fn: (span: Span) => Promise<T> | T,
  attributes: Attributes = {},
): Promise<T> {
  if (!tracingActive()) return untraced(fn);
  const parent = context.active();
  const span = tracer().startSpan(
    name,
    { kind: SpanKind.CLIENT, attributes: { [SpanAttributes.messagingSystem]: 'nats', ...attributes } },
    parent,
  );
  injectTraceHeaders(headers, trace.setSpan(parent, span));
  return runInSpan(span, parent, fn);
}

/** Runs `fn` in a SERVER span continuing the trace context found in `headers` (NATS `MsgHdrs`). */
export function withServerSpan<T>(
  name: string,
  headers: HeaderReader | undefined,
  fn: (span: Span) => Promise<T> | T,
  attributes: Attributes = {},
): Promise<T> {
  if (!tracingActive()) return untraced(fn);
  const parent = extractTraceHeaders(headers, context.active());
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return runInSpan(span, parent, fn);
}

/** Runs `fn` in an INTERNAL child span of the active one (a tool handler, a merge, a cache lookup). */
export function withSpan<T>(name: string, fn: (span: Span) => Promise<T> | T, attributes: Attributes = {}): Promise<T> {
  if (!tracingActive()) return untraced(fn);
  const parent = context.active();
  const span = tracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
  return runInSpan(span, parent, fn);
}

/**
 * Starts a SERVER span under `parent` without activating it, for frameworks whose request lifecycle is
 * split across hooks (fastify): the caller activates it with `context.with(trace.setSpan(...))` and ends it.
 */
export function startServerSpan(name: string, parent: Context, attributes: Attributes = {}): Span {
  return tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
}
