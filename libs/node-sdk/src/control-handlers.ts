import {
  callIdOf,
  type CancelCall,
  decodeCancelCall,
  decodeResumeRequest,
  EasyRemoteError,
  type ResumeRequest,
  WireErrorCode,
} from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';
import type { NodeRuntime } from './node-runtime.js';
import { sendReply } from './message-bodies.js';
import { failure, undecodableRequest } from './wire-failure.js';

/**
 * Handles `calls.cancel`, broadcast to every node: aborts the handler of that call if it runs here,
 * with a NODE_ERR_CANCELLED reason (which the call then answers with). Unknown ids are someone
 * else's calls, or calls already over: ignored.
 */
export function handleCancel(runtime: NodeRuntime, msg: Msg): void {
  let cancel: CancelCall;
  try {
    cancel = decodeCancelCall(msg.data);
  } catch (error) {
    runtime.logger.debug({ err: error }, 'ignored a malformed cancel');
    return;
  }
  const session = runtime.calls.get(cancel.callId);
  if (session === undefined || session.controller.signal.aborted) return;
  const reason = cancel.reason ? `the call was cancelled: ${cancel.reason}` : 'the call was cancelled by its caller';
  runtime.logger.debug({ callId: cancel.callId, reason: cancel.reason }, 'call cancelled');
  session.controller.abort(new EasyRemoteError(WireErrorCode.Cancelled, reason));
}

/**
 * Handles `nodes.<id>.resume`: a 2026-era retry carrying the client's answers (`inputResponses`) for
 * a call parked here. The resume message becomes the call's current leg, so the caller receives the
 * outcome (or the next `inputRequired`) as the reply to it. Resumes are served while the node stops:
 * parked calls may still finish within the grace period.
 */
export function handleResume(runtime: NodeRuntime, msg: Msg): void {
  if (!msg.reply) {
    runtime.logger.warn({ subject: msg.subject }, 'dropped a resume without a reply subject');
    return;
  }
  let request: ResumeRequest;
  try {
    request = decodeResumeRequest(msg.data);
  } catch (error) {
    return sendReply(runtime, msg, undecodableRequest(runtime.nodeId, error), callIdOf(msg.data));
  }
  const session = runtime.calls.get(request.callId);
  if (session === undefined || !session.resumable) {
    const message = `call ${JSON.stringify(request.callId)} is not waiting for input on node ${runtime.nodeId} (it finished, expired or never ran here)`;
    return sendReply(runtime, msg, failure(WireErrorCode.CallNotFound, message), request.callId);
  }
  runtime.logger.debug({ callId: request.callId, answers: Object.keys(request.inputResponses) }, 'call resumed');
  session.resume(msg, request.inputResponses);
}
