import type { McpEra } from '@easyremote/protocol';

/** One finished tool call, as every observer (audit, analytics, metrics) sees it. */
export interface CallEvent {
  callId: string;
  tool: string;
  /** The node that served it, when one did. */
  nodeId: string | undefined;
  /** Who called: the authenticated principal, or undefined where auth is off. */
  principal: string | undefined;
  /** Which front door: MCP (with era) or REST. */
  via: `mcp-${McpEra}` | 'rest';
  startedAt: number;
  durationMs: number;
  /**
   * success: a result; tool_error: the tool ran and failed (isError); error: it could not be run;
   * task: it started as a durable task, whose outcome the node keeps in the task store.
   */
  outcome: 'success' | 'tool_error' | 'error' | 'cancelled' | 'task';
  errorCode: string | undefined;
  argumentsBytes: number;
  resultBytes: number;
  /** Answered from the shared result cache (no node ran it). */
  cached: boolean;
  /** The arguments as received (observers hash or drop them; never log them raw). */
  arguments: Record<string, unknown>;
  /**
   * A fanned-out call's work, one run per chunk per node that ran it (a retried chunk has a run on
   * each node tried). The call itself has no `nodeId`: these say which nodes did the work.
   */
  chunks?: readonly ChunkRun[] | undefined;
}

/** One chunk of a fanned-out call, as one node ran it. */
export interface ChunkRun {
  /** The chunk's position in the split (0-based). */
  index: number;
  nodeId: string;
  durationMs: number;
  outcome: CallEvent['outcome'];
  errorCode?: string | undefined;
}

export type CallEventListener = (event: CallEvent) => void;
/** An observer whose work must be done before the caller sees the answer (the audit). */
export type DurableCallEventListener = (event: CallEvent) => Promise<void>;

/**
 * The gateway's single point where a finished call is announced. Observers subscribe; a throwing
 * observer is isolated so it can never fail a call. Durable observers (the audit) are different: the
 * front doors wait for them before answering, and a durable observer that fails withholds the answer.
 */
export class CallEvents {
  readonly #listeners = new Set<CallEventListener>();
  /** An array replaced on (un)subscribe, not a Set: emit() runs per call and allocates nothing for one. */
  #durable: readonly DurableCallEventListener[] = [];
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  subscribe(listener: CallEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribeDurable(listener: DurableCallEventListener): () => void {
    this.#durable = [...this.#durable, listener];
    return () => {
      this.#durable = this.#durable.filter((other) => other !== listener);
    };
  }

  /**
   * Announces a finished call. Returns, when durable observers exist, a promise that resolves once
   * each has done its work and rejects if one failed: await it before answering the caller.
   */
  emit(event: CallEvent): Promise<void> | undefined {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    const durable = this.#durable;
    if (durable.length === 0) return undefined;
    const done =
      durable.length === 1
        ? durable[0]!(event)
        : Promise.all(durable.map((listener) => listener(event))).then(() => undefined);
    // A caller that stopped waiting (its call threw) must not leave the rejection unhandled.
    done.catch(() => {});
    return done;
  }

  get observed(): boolean {
    return this.#listeners.size > 0 || this.#durable.length > 0;
  }
}

/** Byte length of a JSON value as it travels (0 when there is nothing to measure). */
export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}
