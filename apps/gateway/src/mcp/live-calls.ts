import type { RequestId } from './jsonrpc.js';
import type { ResponseChannel } from './response-channel.js';

/** A tools/call this replica is serving right now. */
export interface LiveCall {
  readonly callId: string;
  /** Who may cancel it: the 2025 session's uid; 2026 calls are cancelled by closing the stream. */
  readonly owner: string | undefined;
  readonly requestId: RequestId;
  readonly era: 'legacy' | 'modern';
  readonly channel: ResponseChannel;
  readonly controller: AbortController;
  readonly progressToken: string | number | undefined;
  readonly logLevel: string | undefined;
}

/** The calls in flight on this replica, by call id and by (session, JSON-RPC id). */
export class LiveCalls {
  readonly #byId = new Map<string, LiveCall>();
  readonly #byRequest = new Map<string, string>();

  add(call: LiveCall): void {
    this.#byId.set(call.callId, call);
    if (call.owner !== undefined) this.#byRequest.set(requestKey(call.owner, call.requestId), call.callId);
  }

  remove(callId: string): void {
    const call = this.#byId.get(callId);
    if (!call) return;
    this.#byId.delete(callId);
    if (call.owner !== undefined) this.#byRequest.delete(requestKey(call.owner, call.requestId));
  }

  get(callId: string): LiveCall | undefined {
    return this.#byId.get(callId);
  }

  byRequest(owner: string, requestId: RequestId): LiveCall | undefined {
    const callId = this.#byRequest.get(requestKey(owner, requestId));
    return callId === undefined ? undefined : this.#byId.get(callId);
  }

  get size(): number {
    return this.#byId.size;
  }
}

function requestKey(owner: string, requestId: RequestId): string {
  return `${owner}\u0000${typeof requestId}:${String(requestId)}`;
}
