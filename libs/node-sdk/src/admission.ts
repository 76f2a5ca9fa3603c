import { WireErrorCode } from '@easyremote/protocol';
import type { NodeRuntime } from './node-runtime.js';
import { failure, type Failure } from './wire-failure.js';

export interface Admitted {
  callId: string;
  /** Absolute deadline: the caller's, capped at now + `timeoutMs`. */
  deadline: number;
  /** The caller's notify subject, when it wants notifications (and 2025-era client requests). */
  notifySubject: string | undefined;
}

/** The call metadata every request carries in its body (CallRequest and NodeRpcRequest `callId`, `deadline`, `notify`). */
export interface CallMetadata {
  callId: string;
  deadline?: number | undefined;
  notify?: string | undefined;
}

/**
 * The checks every new request passes before a handler runs (a node that stops, the concurrency
 * limit, a call id already running here), and its call id, deadline and notify subject. Returns the
 * failure to answer with when the request is declined.
 */
export function admit(runtime: NodeRuntime, timeoutMs: number, request: CallMetadata): Admitted | Failure {
  if (!runtime.accepting) return failure(WireErrorCode.ShuttingDown, `node ${runtime.nodeId} is shutting down`);
  if (runtime.calls.size >= runtime.maxConcurrency) {
    return failure(
      WireErrorCode.Overloaded,
      `node ${runtime.nodeId} is at its concurrency limit (maxConcurrency ${runtime.maxConcurrency})`,
    );
  }
  const { callId } = request;
  // Cancels and resumes find a call by its id, so two live calls must never share one.
  if (runtime.calls.has(callId))
    return failure(
      WireErrorCode.BadRequest,
      `call id ${JSON.stringify(callId)} is already running on node ${runtime.nodeId}`,
    );
  const deadline = request.deadline ?? Number.POSITIVE_INFINITY;
  return { callId, deadline: Math.min(deadline, Date.now() + timeoutMs), notifySubject: request.notify };
}

export function isFailure(value: Admitted | Failure): value is Failure {
  return 'ok' in value;
}
