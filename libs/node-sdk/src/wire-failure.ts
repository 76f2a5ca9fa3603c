import {
  EasyRemoteError,
  hasErrorCode,
  Headers,
  MESH_PROTOCOL_VERSION,
  ProtocolErrorCode,
  WireErrorCode,
  type Logger,
  type WireError,
} from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';

/** The failure half of every node reply (`CallResponse`, `NodeRpcResponse`). */
export interface Failure {
  ok: false;
  error: WireError;
}

export function failure(code: string, message: string, data?: unknown): Failure {
  return { ok: false, error: data === undefined ? { code, message } : { code, message, data } };
}

/**
 * The answer to a request that could not be decoded: NODE_ERR_VERSION_MISMATCH for a peer of another
 * mesh protocol version (so an operator reads that the releases differ, not which field is missing),
 * NODE_ERR_BAD_REQUEST for anything else.
 */
export function undecodableRequest(nodeId: string, error: unknown): Failure {
  const message = (error as Error).message;
  if (hasErrorCode(error, ProtocolErrorCode.VersionMismatch))
    return failure(
      WireErrorCode.VersionMismatch,
      `node ${nodeId} refused the request: ${message}`,
      (error as EasyRemoteError).data,
    );
  return failure(WireErrorCode.BadRequest, message);
}

/**
 * A request whose `Er-Version` header names another mesh protocol version is refused as one whose
 * body does: the header is optional (the body's `v` is the version), but a peer that sends it is
 * believed.
 */
export function headerVersionMismatch(nodeId: string, msg: Msg): Failure | undefined {
  const said = msg.headers?.get(Headers.version);
  if (said === undefined || said === '' || said === String(MESH_PROTOCOL_VERSION)) return undefined;
  return failure(
    WireErrorCode.VersionMismatch,
    `node ${nodeId} refused the request: its ${Headers.version} header is ${JSON.stringify(said)}; this node speaks mesh protocol version ${MESH_PROTOCOL_VERSION}: run one EasyRemote release across gateways and nodes`,
    { theirs: said, ours: MESH_PROTOCOL_VERSION },
  );
}

/** RequestError, recognised by shape as ToolError is. */
function isRequestError(error: unknown): error is EasyRemoteError {
  return (
    error instanceof Error &&
    error.name === 'RequestError' &&
    (error as { code?: unknown }).code === WireErrorCode.RequestFailed
  );
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
  if (isToolError(error) || isRequestError(error)) {
    logger.debug({ ...fields, code: error.code }, 'handler failed with a ToolError');
    return failure(error.code, error.message, error.data);
  }
  logger.error({ ...fields, err: error }, 'handler failed');
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'the handler threw a non-Error value';
  return failure(WireErrorCode.HandlerFailed, message);
}
