import { WireErrorCode } from '@easyremote/protocol';
import { failure, type Failure } from './wire-failure.js';

/** What the table needs of a request on it: its id, and a way to abort it when the node stops. */
export interface RunningCall {
  readonly callId: string;
  readonly controller: AbortController;
}

/**
 * Every request running on this node (tool calls, parked 2026-era calls, resource reads, prompts,
 * completions) by call id, and whether the node takes new ones: how a cancel or a resume finds its
 * call, what admission counts against `maxConcurrency`, and what a stop waits on to drain. The one
 * owner of that state: sessions join and leave through it, the node closes it.
 */
export class RunningCalls<Call extends RunningCall = RunningCall> {
  readonly #byId = new Map<string, Call>();
  readonly #nodeId: string;
  readonly #maxConcurrency: number;
  #accepting = true;
  /** Who waits for the node to drain (a stop, its grace period and the abort after it). */
  readonly #idleWaiters = new Set<() => void>();

  constructor(nodeId: string, maxConcurrency: number) {
    this.#nodeId = nodeId;
    this.#maxConcurrency = maxConcurrency;
  }

  /** False once the node stops: new requests are declined, running ones go on. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** The NODE_ERR_SHUTTING_DOWN answer once the node stops; undefined while it accepts requests. */
  stoppingRefusal(): Failure | undefined {
    return this.#accepting ? undefined : failure(WireErrorCode.ShuttingDown, `node ${this.#nodeId} is shutting down`);
  }

  get size(): number {
    return this.#byId.size;
  }

  get(callId: string): Call | undefined {
    return this.#byId.get(callId);
  }

  /**
   * Why a new request with this id may not start here (the node stops, it is at its concurrency
   * limit, the id already runs here), as the failure to answer with; undefined when it may.
   */
  refusal(callId: string): Failure | undefined {
    const stopping = this.stoppingRefusal();
    if (stopping !== undefined) return stopping;
    if (this.#byId.size >= this.#maxConcurrency) {
      return failure(
        WireErrorCode.Overloaded,
        `node ${this.#nodeId} is at its concurrency limit (maxConcurrency ${this.#maxConcurrency})`,
      );
    }
    // Cancels and resumes find a call by its id, so two live calls must never share one.
    if (this.#byId.has(callId))
      return failure(
        WireErrorCode.BadRequest,
        `call id ${JSON.stringify(callId)} is already running on node ${this.#nodeId}`,
      );
    return undefined;
  }

  join(call: Call): void {
    this.#byId.set(call.callId, call);
  }

  /** Removes `call` (not a later call that reused its id) and wakes a stop waiting for the node to drain. */
  leave(call: Call): void {
    if (this.#byId.get(call.callId) === call) this.#byId.delete(call.callId);
    // Only a stop waits; an idle node's every call end must not allocate.
    if (this.#byId.size === 0 && this.#idleWaiters.size > 0) for (const wake of [...this.#idleWaiters]) wake();
  }

  /** No new request is admitted from now on; the running ones go on. */
  close(): void {
    this.#accepting = false;
  }

  /** Aborts every running request with `reason` (a stop past its grace period). */
  abortAll(reason: unknown): void {
    for (const call of [...this.#byId.values()]) call.controller.abort(reason);
  }

  /** Resolves true once nothing runs, false if `ms` passed first. */
  whenIdle(ms: number): Promise<boolean> {
    if (this.#byId.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.#idleWaiters.delete(wake);
        resolve(idle);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.#idleWaiters.add(wake);
    });
  }
}
