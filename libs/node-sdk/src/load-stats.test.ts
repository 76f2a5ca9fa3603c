import { WireErrorCode, type CallResponse } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { LoadStats } from './load-stats.js';

const ok: CallResponse = { ok: true, result: { content: [] } };
const fail = (code: string): CallResponse => ({ ok: false, error: { code, message: 'x' } });

describe('LoadStats', () => {
  it('averages latency and counts node failures, not caller mistakes', () => {
    const stats = new LoadStats();
    expect(stats.snapshot(0, 4)).toEqual({ inFlight: 0, maxConcurrency: 4, errorRate: 0, completed: 0, declined: 0 });
    stats.record(100, ok);
    stats.record(200, ok);
    stats.record(10, fail(WireErrorCode.InvalidArguments));
    stats.decline();
    const first = stats.snapshot(2, 4);
    expect(first).toMatchObject({ inFlight: 2, completed: 3, declined: 1, errorRate: 0 });
    expect(first.latencyEwmaMs).toBeCloseTo(100 + 0.2 * 100 + 0.2 * (10 - 120), 5);
    stats.record(50, fail(WireErrorCode.HandlerFailed));
    expect(stats.snapshot(0, 4).errorRate).toBeCloseTo(0.2, 5);
  });
});
