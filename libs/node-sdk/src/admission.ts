import { Headers, WireErrorCode } from '@easyremote/protocol';
import { nuid, type Msg } from '@nats-io/nats-core';
import type { NodeRuntime } from './node-runtime.js';
import { failure, type Failure } from './wire-failure.js';

export interface Admitted {
  callId: string;
  /** Absolute deadline: the caller's `Er-Deadline`, capped at now + `timeoutMs`. */
  deadline: number;
  /** The caller's `Er-Notify` subject, when it wants notifications (and 2025-era client requests). */
  notifySubject: string | undefined;
}

function parseDeadline(value: string | undefined): number {
  if (value === undefined || value === '') return Number.POSITIVE_INFINITY;
  const deadline = Number(value);
  return Number.isFinite(deadline) ? deadline : Number.POSITIVE_INFINITY;
}

/** Call metadata a request carried in its body (CallRequest `callId`, `deadline`, `notify`). */
export interface BodyMetadata {
  callId?: string | undefined;
  deadline?: number | undefined;
  notify?: string | undefined;
}

/**
 * The checks every new request passes before a handler runs (a node that stops, the concurrency
 * limit, a call id already running here), and its call id, deadline and notify subject: from the
 * body when it carries a `callId`, else from the `Er-*` headers. Returns the failure to answer with
 * when the request is declined.
 */
export function admit(runtime: NodeRuntime, msg: Msg, timeoutMs: number, body?: BodyMetadata): Admitted | Failure {
  if (!runtime.accepting) return failure(WireErrorCode.ShuttingDown, `node ${runtime.nodeId} is shutting down`);
  if (runtime.calls.size >= runtime.maxConcurrency) {
    return failure(
      WireErrorCode.Overloaded,
      `node ${runtime.nodeId} is at its concurrency limit (maxConcurrency ${runtime.maxConcurrency})`,
    );
  }
  let callId: string;
  let deadline: number;
  let notifySubject: string | undefined;
  if (body?.callId !== undefined) {
    callId = body.callId;
    deadline = body.deadline ?? Number.POSITIVE_INFINITY;
    notifySubject = body.notify;
  } else {
    const h = msg.headers;
    callId = h?.get(Headers.callId) || nuid.next();
    deadline = parseDeadline(h?.get(Headers.deadline));
    notifySubject = h?.get(Headers.notify) || undefined;
  }
  // Cancels and resumes find a call by its id, so two live calls must never share one.
  if (runtime.calls.has(callId))
    return failure(
      WireErrorCode.BadRequest,
      `call id ${JSON.stringify(callId)} is already running on node ${runtime.nodeId}`,
    );
  return { callId, deadline: Math.min(deadline, Date.now() + timeoutMs), notifySubject };
}

export function isFailure(value: Admitted | Failure): value is Failure {
  return 'ok' in value;
}
