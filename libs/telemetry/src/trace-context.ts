import { context, propagation, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { Headers } from '@easyremote/protocol';

/** Anything with `get(name)`: NATS `MsgHdrs`, a fetch `Headers`, a reply's `header()` adapter. */
export interface HeaderReader {
  get(name: string): string | undefined | null;
}

const TRACE_KEYS = [Headers.traceparent, Headers.tracestate] as const;

const readerGetter: TextMapGetter<HeaderReader> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  keys: () => [...TRACE_KEYS],
};

const recordGetter: TextMapGetter<Readonly<Record<string, unknown>>> = {
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    return undefined;
  },
  keys: (carrier) => Object.keys(carrier),
};

/**
 * Writes the active (or given) context's W3C trace context (`traceparent`, `tracestate`) into a plain
 * header record, e.g. the headers of a NATS request. A no-op when no propagator is registered.
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads W3C trace context from NATS `MsgHdrs` (or any `get(name)` reader) into a context. */
export function extractTraceHeaders(headers: HeaderReader | undefined, base: Context = context.active()): Context {
  if (headers === undefined) return base;
  return propagation.extract(base, headers, readerGetter);
}

/**
 * Reads trace context from a plain record: HTTP request headers, or MCP `_meta` where a client puts
 * `traceparent`/`tracestate` (the keys are the W3C header names).
 */
export function extractTraceRecord(
  record: Readonly<Record<string, unknown>> | undefined,
  base: Context = context.active(),
): Context {
  if (record === undefined) return base;
  return propagation.extract(base, record, recordGetter);
}

/** Whether a context carries a valid remote or local span context. */
export function hasSpanContext(ctx: Context): boolean {
  const span = trace.getSpanContext(ctx);
  return span !== undefined && trace.isSpanContextValid(span);
}

/** The active span's ids, for log lines (`trace_id`, `span_id`), or an empty object. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  if (span === undefined || !trace.isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}
