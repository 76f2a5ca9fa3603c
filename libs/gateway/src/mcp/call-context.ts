import type { AccessPolicy } from '@easyremote/auth';
import type { McpEra } from '@easyremote/protocol';
import type { RequestId, RequestMethod, RequestTypeMap } from '@modelcontextprotocol/server';
import type { ResponseChannel } from './response-channel.js';

/**
 * A request's params as they came off the wire, shaped after the SDK's request type for method `M`:
 * the field names are the SDK's, each value is `unknown` until the handler checks it. The classifier
 * checks the JSON-RPC envelope only, so a handler checks each field it reads and answers -32602 for a
 * wrong one; a type claiming more would have no validation behind it (ADR 0020). A field the SDK
 * does not name is a type error, so a misspelt or renamed field fails the typecheck.
 */
export type WireParams<M extends RequestMethod = RequestMethod> = {
  readonly [K in keyof NonNullable<RequestTypeMap[M]['params']>]?: unknown;
} & RetryParams;

/** What a 2026-07-28 retry of a multi-round-trip request adds to its params (not in the SDK's params types). */
interface RetryParams {
  readonly requestState?: unknown;
  readonly inputResponses?: unknown;
}

/** What a method handler knows about the request it serves, independent of the protocol era. */
export interface McpCallContext {
  era: McpEra;
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  /** Aborted when the client goes away or cancels the request. */
  signal: AbortSignal;
  /** The controller behind `signal`: a call registers it so a cancellation from any replica can abort it. */
  controller: AbortController;
  requestId: RequestId;
  /** The 2025 session's uid; undefined for 2026-07-28 requests. */
  sid: string | undefined;
  /** Where the answer (and anything before it) goes. */
  channel: ResponseChannel;
  /** Minimum level of log notifications this request wants (unset: all). */
  logLevel: string | undefined;
  /** The authenticated caller, when authentication is on. */
  principal?: string | undefined;
  /** What the caller may use; undefined when authentication is off. */
  access?: AccessPolicy | undefined;
  /** Sets a header on the HTTP answer before it starts (challenges, Retry-After). */
  setHeader?: ((name: string, value: string) => void) | undefined;
}

/** A tools/call this replica is serving right now. */
export interface LiveCall {
  readonly callId: string;
  /** Who may cancel it: the 2025 session's uid; 2026 calls are cancelled by closing the stream. */
  readonly owner: string | undefined;
  readonly requestId: RequestId;
  readonly era: McpEra;
  readonly channel: ResponseChannel;
  readonly controller: AbortController;
  readonly progressToken: string | number | undefined;
  readonly logLevel: string | undefined;
}

/**
 * The calls in flight on this replica, by call id. Finding one by (session, JSON-RPC id) — a 2025
 * `notifications/cancelled` — scans them: cancellations are rare, and a second index cost a map
 * insert and delete with a built key on every call.
 */
export class LiveCalls {
  readonly #byId = new Map<string, LiveCall>();

  add(call: LiveCall): void {
    this.#byId.set(call.callId, call);
  }

  remove(callId: string): void {
    this.#byId.delete(callId);
  }

  get(callId: string): LiveCall | undefined {
    return this.#byId.get(callId);
  }

  byRequest(owner: string, requestId: RequestId): LiveCall | undefined {
    for (const call of this.#byId.values()) {
      if (call.owner === owner && call.requestId === requestId) return call;
    }
    return undefined;
  }

  get size(): number {
    return this.#byId.size;
  }
}
