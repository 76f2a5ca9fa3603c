import { WireErrorCode } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { RunningCalls, type RunningCall } from './running-calls.js';

const call = (callId: string): RunningCall => ({ callId, controller: new AbortController() });

describe('RunningCalls', () => {
  it('admits up to maxConcurrency calls, then declines as overloaded', () => {
    const calls = new RunningCalls('n1', 2);
    expect(calls.refusal('a')).toBeUndefined();
    calls.join(call('a'));
    calls.join(call('b'));
    expect(calls.refusal('c')?.error.code).toBe(WireErrorCode.Overloaded);
    expect(calls.refusal('c')?.error.message).toContain('maxConcurrency 2');
  });

  it('refuses a call id that already runs here', () => {
    const calls = new RunningCalls('n1', 8);
    calls.join(call('a'));
    expect(calls.refusal('a')?.error.code).toBe(WireErrorCode.BadRequest);
    expect(calls.refusal('b')).toBeUndefined();
  });

  it('declines everything once closed, while the running calls stay findable', () => {
    const calls = new RunningCalls('n1', 8);
    const running = call('a');
    calls.join(running);
    calls.close();
    expect(calls.accepting).toBe(false);
    expect(calls.refusal('b')?.error.code).toBe(WireErrorCode.ShuttingDown);
    expect(calls.get('a')).toBe(running);
  });

  it('leave removes only the call that joined, not a later one with its id', () => {
    const calls = new RunningCalls('n1', 8);
    const first = call('a');
    const second = call('a');
    calls.join(first);
    calls.join(second);
    calls.leave(first);
    expect(calls.get('a')).toBe(second);
    calls.leave(second);
    expect(calls.size).toBe(0);
  });

  it('whenIdle resolves true when the last call leaves, false after its time', async () => {
    const calls = new RunningCalls('n1', 8);
    await expect(calls.whenIdle(10)).resolves.toBe(true);
    const a = call('a');
    const b = call('b');
    calls.join(a);
    calls.join(b);
    const idle = calls.whenIdle(5_000);
    calls.leave(a);
    calls.leave(b);
    await expect(idle).resolves.toBe(true);
    calls.join(a);
    await expect(calls.whenIdle(20)).resolves.toBe(false);
  });

  it('wakes every waiter when the node drains, not only the last one', async () => {
    const calls = new RunningCalls('n1', 8);
    const a = call('a');
    calls.join(a);
    const first = calls.whenIdle(5_000);
    const second = calls.whenIdle(5_000);
    calls.leave(a);
    await expect(Promise.all([first, second])).resolves.toEqual([true, true]);
  });

  it('abortAll aborts every running call with the reason', () => {
    const calls = new RunningCalls('n1', 8);
    const a = call('a');
    const b = call('b');
    calls.join(a);
    calls.join(b);
    const reason = new Error('stopping');
    calls.abortAll(reason);
    expect(a.controller.signal.reason).toBe(reason);
    expect(b.controller.signal.reason).toBe(reason);
  });
});
