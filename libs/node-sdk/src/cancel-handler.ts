import { decodeCancelCall, EasyRemoteError, WireErrorCode, type CancelCall } from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';
import type { NodeRuntime } from './node-runtime.js';

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
