import { EasyRemoteError, WireErrorCode, type Logger } from '@easyremote/protocol';
import type { DeadlineWatch, WatchedDeadline } from './deadline-watch.js';
import { abortedFailure, failure, thrownFailure, type Failure } from './wire-failure.js';

export type HandlerOutcome = { ok: true; value: unknown } | Failure;

export interface RunHandlerOptions {
  /** Aborted at the deadline here; aborted by others on cancel or stop. */
  controller: AbortController;
  /** Absolute deadline, epoch ms. */
  deadline: number;
  /** Names the work in the deadline message: `tool "echo"`, `resources/read of "test://x"`. */
  what: string;
  logger: Logger;
  /** Added to the log line of a failed handler (call id, tool, ...). */
  logFields: Record<string, unknown>;
  /** The node's shared deadline timer; without it the call gets a timer of its own. */
  deadlines?: DeadlineWatch | undefined;
}

/**
 * Runs one handler raced against its deadline and its abort signal. Always resolves; never waits
 * for a handler that ignores its signal (its late result or error is dropped), and an abort that
 * lands after the handler settled still wins, so a cancelled call never reports success.
 */
export function runHandler(handler: () => unknown, options: RunHandlerOptions): Promise<HandlerOutcome> {
  return Promise.resolve(startHandler(handler, options));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * `runHandler` without a promise when the handler answers synchronously (most do: an echo, a
 * lookup, a computation): its outcome comes back at once, with no timer, listener or microtask
 * hop. Only a handler that returns a promise is raced against its deadline and abort signal.
 */
export function startHandler(
  handler: () => unknown,
  options: RunHandlerOptions,
): HandlerOutcome | Promise<HandlerOutcome> {
  const { controller, deadline, what } = options;
  const signal = controller.signal;
  const remaining = deadline - Date.now();
  if (remaining <= 0) {
    return failure(WireErrorCode.DeadlineExceeded, `the deadline of the call to ${what} had passed before it started`);
  }
  if (signal.aborted) return abortedFailure(signal.reason);
  let value: unknown;
  try {
    value = handler();
  } catch (error) {
    return signal.aborted ? abortedFailure(signal.reason) : thrownFailure(error, options.logger, options.logFields);
  }
  if (!isPromiseLike(value)) return signal.aborted ? abortedFailure(signal.reason) : { ok: true, value };
  return race(value, remaining, options);
}

async function race(
  pending: PromiseLike<unknown>,
  remaining: number,
  options: RunHandlerOptions,
): Promise<HandlerOutcome> {
  const { controller, deadline, what } = options;
  const signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  let watched: WatchedDeadline | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<HandlerOutcome>((resolve) => {
      onAbort = () => resolve(abortedFailure(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      const expire = (): void => {
        const message = `${what} did not finish within the call's deadline (${remaining} ms)`;
        controller.abort(new EasyRemoteError(WireErrorCode.DeadlineExceeded, message));
      };
      if (options.deadlines === undefined) timer = setTimeout(expire, remaining);
      else watched = options.deadlines.watch(deadline, expire);
      pending.then(
        (value) => resolve(signal.aborted ? abortedFailure(signal.reason) : { ok: true, value }),
        (error: unknown) =>
          resolve(
            signal.aborted ? abortedFailure(signal.reason) : thrownFailure(error, options.logger, options.logFields),
          ),
      );
    });
  } finally {
    if (watched !== undefined) options.deadlines?.unwatch(watched);
    else clearTimeout(timer);
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
