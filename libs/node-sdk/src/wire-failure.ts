import { EasyRemoteError, WireErrorCode, type Logger, type WireError } from '@easyremote/protocol';

/** The failure half of every node reply (`CallResponse`, `NodeRpcResponse`). */
export interface Failure {
  ok: false;
  error: WireError;
}

export function failure(code: string, message: string, data?: unknown): Failure {
  return { ok: false, error: data === undefined ? { code, message } : { code, message, data } };
}

/** ToolError is recognised by shape so errors from another copy of this package still pass through. */
export function isToolError(error: unknown): error is EasyRemoteError {
  return error instanceof Error && error.name === 'ToolError' && typeof (error as { code?: unknown }).code === 'string';
}

/** An aborted handler: an EasyRemoteError reason (deadline, cancel, shutdown) supplies the wire code. */
export function abortedFailure(reason: unknown): Failure {
  if (reason instanceof EasyRemoteError) return failure(reason.code, reason.message);
  return failure(WireErrorCode.HandlerFailed, 'the call was aborted');
}

/**
 * What a thrown error becomes on the wire: a ToolError keeps its code, message and data; anything
 * else becomes NODE_ERR_HANDLER_FAILED with its message only. The stack stays in the node's log: it
 * can name paths and secrets the caller must not see.
 */
export function thrownFailure(error: unknown, logger: Logger, fields: Record<string, unknown>): Failure {
  if (isToolError(error)) {
    logger.debug({ ...fields, code: error.code }, 'handler failed with a ToolError');
    return failure(error.code, error.message, error.data);
  }
  logger.error({ ...fields, err: error }, 'handler failed');
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'the handler threw a non-Error value';
  return failure(WireErrorCode.HandlerFailed, message);
}
