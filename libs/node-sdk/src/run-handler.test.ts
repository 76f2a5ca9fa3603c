import { silentLogger, WireErrorCode } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { DeadlineWatch } from './deadline-watch.js';
import { startHandler, type RunHandlerOptions } from './run-handler.js';

function options(overrides: Partial<RunHandlerOptions> = {}): RunHandlerOptions {
  return {
    controller: new AbortController(),
    deadline: Date.now() + 1_000,
    what: 'tool "t"',
    logger: silentLogger,
    logFields: {},
    ...overrides,
  };
}

describe('startHandler', () => {
  it('answers a synchronous handler at once, without a promise', () => {
    expect(startHandler(() => ({ text: 'hi' }), options())).toEqual({ ok: true, value: { text: 'hi' } });
    expect(
      startHandler(() => {
        throw new Error('boom');
      }, options()),
    ).toEqual({ ok: false, error: { code: WireErrorCode.HandlerFailed, message: 'boom' } });
  });

  it('fails a call whose deadline passed before it started, without running the handler', () => {
    let ran = false;
    const outcome = startHandler(() => (ran = true), options({ deadline: Date.now() - 1 }));
    expect(outcome).toMatchObject({ ok: false, error: { code: WireErrorCode.DeadlineExceeded } });
    expect(ran).toBe(false);
  });

  it('races a handler that returns a promise against the shared deadline timer', async () => {
    const controller = new AbortController();
    const outcome = startHandler(
      () => new Promise(() => {}),
      options({ controller, deadline: Date.now() + 30, deadlines: new DeadlineWatch() }),
    );
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toMatchObject({ ok: false, error: { code: WireErrorCode.DeadlineExceeded } });
    expect(controller.signal.aborted).toBe(true);
  });
});
