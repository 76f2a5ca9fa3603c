import { callIdOf, decodeResumeRequest, WireErrorCode, type ResumeRequest } from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';
import type { NodeRuntime } from './node-runtime.js';
import { sendReply } from './reply.js';
import { failure, undecodableRequest } from './wire-failure.js';

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
