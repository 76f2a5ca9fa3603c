/**
 * The base of every error EasyRemote raises. Callers check `code`, never `instanceof`:
 * errors cross process boundaries (NATS envelopes, JSON-RPC) and come back as plain data.
 */
export class EasyRemoteError extends Error {
  readonly code: string;
  readonly data: unknown;

  constructor(code: string, message: string, options?: { cause?: unknown; data?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EasyRemoteError';
    this.code = code;
    this.data = options?.data;
  }
}

/** True when `value` is an error-like object carrying the given stable code. */
export function hasErrorCode(value: unknown, code: string): boolean {
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === code;
}

/**
 * Codes a compute node puts on the wire in a failed call envelope. The gateway renders each of them
 * from one table (libs/gateway/src/error-table.ts). Tool authors may also raise their own codes
 * (`ToolError`); those travel unchanged.
 */
export const WireErrorCode = {
  /** The request envelope could not be decoded. */
  BadRequest: 'NODE_ERR_BAD_REQUEST',
  /** The request is of another mesh protocol version than the node's (`v`): gateway and node run different releases. */
  VersionMismatch: 'NODE_ERR_VERSION_MISMATCH',
  /** The node does not serve the named tool (a stale registry view). */
  ToolNotFound: 'NODE_ERR_TOOL_NOT_FOUND',
  /** Arguments failed the tool's input schema on the node. */
  InvalidArguments: 'NODE_ERR_INVALID_ARGUMENTS',
  /** The handler threw something that was not a ToolError. */
  HandlerFailed: 'NODE_ERR_HANDLER_FAILED',
  /** The handler's result failed the tool's declared output schema. */
  InvalidOutput: 'NODE_ERR_INVALID_OUTPUT',
  /** The call's deadline passed while the handler was running; the handler was aborted. */
  DeadlineExceeded: 'NODE_ERR_DEADLINE_EXCEEDED',
  /** The node is at its concurrency limit and declined the call. */
  Overloaded: 'NODE_ERR_OVERLOADED',
  /** The node is shutting down and accepts no new calls. */
  ShuttingDown: 'NODE_ERR_SHUTTING_DOWN',
  /** The result is over the node's payload limit (or over one NATS message where no payload store is reachable). */
  ResultTooLarge: 'NODE_ERR_RESULT_TOO_LARGE',
  /** The request's offloaded arguments are over the node's payload limit (`maxPayloadBytes`). */
  PayloadTooLarge: 'NODE_ERR_PAYLOAD_TOO_LARGE',
  /** The call was cancelled by its caller (the handler's signal was aborted). */
  Cancelled: 'NODE_ERR_CANCELLED',
  /** No resource, template or prompt on this node matches the request. */
  NotFound: 'NODE_ERR_NOT_FOUND',
  /** A resume named a call that is not parked on this node (finished, expired, or never here). */
  CallNotFound: 'NODE_ERR_CALL_NOT_FOUND',
  /** The handler asked the client for input the client cannot give (no capability, or it failed). */
  ClientRequestFailed: 'NODE_ERR_CLIENT_REQUEST_FAILED',
  /**
   * The handler failed the request itself, not its result (`RequestError` in node-sdk): the client
   * gets a JSON-RPC error instead of an `isError` result, and a task ends `failed`.
   */
  RequestFailed: 'NODE_ERR_REQUEST_FAILED',
  /** The node could not write a task's state to the task store, so the task cannot be followed. */
  TaskStoreFailed: 'NODE_ERR_TASK_STORE_FAILED',
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];
