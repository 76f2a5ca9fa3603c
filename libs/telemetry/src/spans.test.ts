import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { tracingActive, withClientSpan, withServerSpan } from './spans.js';

describe('span helpers without an OpenTelemetry SDK', () => {
  afterEach(() => {
    propagation.disable();
    trace.disable();
  });

  it('skip spans while nothing is registered, and still run the work and pass its outcome on', async () => {
    propagation.disable();
    trace.disable();
    expect(tracingActive()).toBe(false);
    const headers: Record<string, string> = {};
    await expect(withClientSpan('call x', headers, () => 42)).resolves.toBe(42);
    expect(headers).toEqual({});
    await expect(withServerSpan('serve x', undefined, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      withClientSpan('call x', headers, () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it('count as active once a propagator is registered', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(tracingActive()).toBe(true);
  });
});
