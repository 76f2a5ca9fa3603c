import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeTraceIds,
  extractTraceHeaders,
  extractTraceRecord,
  hasSpanContext,
  injectTraceHeaders,
} from './trace-context.js';

const PARENT = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

describe('trace context in NATS headers', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    propagation.disable();
    context.disable();
  });

  it('injects traceparent into a header record and extracts it from MsgHdrs-like readers', () => {
    const headers = injectTraceHeaders(
      { 'Er-Call-Id': 'c1' },
      trace.setSpan(context.active(), trace.wrapSpanContext(PARENT)),
    );
    expect(headers.traceparent).toBe(`00-${PARENT.traceId}-${PARENT.spanId}-01`);
    const reader = { get: (name: string) => headers[name] ?? '' };
    const extracted = trace.getSpanContext(extractTraceHeaders(reader));
    expect(extracted).toMatchObject({ traceId: PARENT.traceId, spanId: PARENT.spanId, isRemote: true });
  });

  it('reads a client traceparent from MCP _meta, and ignores garbage', () => {
    expect(
      hasSpanContext(extractTraceRecord({ traceparent: `00-${PARENT.traceId}-${PARENT.spanId}-01`, progressToken: 1 })),
    ).toBe(true);
    expect(hasSpanContext(extractTraceRecord({ traceparent: 'not-a-traceparent' }))).toBe(false);
    expect(hasSpanContext(extractTraceRecord(undefined))).toBe(false);
  });

  it('names the active span for log lines', () => {
    expect(activeTraceIds()).toEqual({});
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(PARENT)), () => {
      expect(activeTraceIds()).toEqual({ trace_id: PARENT.traceId, span_id: PARENT.spanId });
    });
  });
});
