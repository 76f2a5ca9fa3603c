/** One finished tool call, as every observer (audit, analytics, metrics) sees it. */
export interface CallEvent {
  callId: string;
  tool: string;
  /** The node that served it, when one did. */
  nodeId: string | undefined;
  /** Who called: the authenticated principal, or undefined where auth is off. */
  principal: string | undefined;
  /** Which front door: MCP (with era) or REST. */
  via: 'mcp-legacy' | 'mcp-modern' | 'rest';
  startedAt: number;
  durationMs: number;
  /** success: a result; tool_error: the tool ran and failed (isError); error: it could not be run. */
  outcome: 'success' | 'tool_error' | 'error' | 'cancelled';
  errorCode: string | undefined;
  argumentsBytes: number;
  resultBytes: number;
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

/**
 * The gateway's single point where a finished call is announced. Observers subscribe; a throwing
 * observer is isolated so it can never fail a call.
 */
export class CallEvents {
  readonly #listeners = new Set<CallEventListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  subscribe(listener: CallEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: CallEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  get observed(): boolean {
    return this.#listeners.size > 0;
  }
}

/** Byte length of a JSON value as it travels (0 when there is nothing to measure). */
export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}
