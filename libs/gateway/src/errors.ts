import { EasyRemoteError } from '@easyremote/protocol';

/**
 * The gateway's error catalogue. Codes are stable and never reused; docs/errors.md lists them and a
 * test keeps the two in sync.
 */
export const GatewayErrorCode = {
  /** Configuration failed validation at start. */
  Config: 'GW_ERR_CONFIG',
  /** No tool of that name is in the registry. */
  ToolNotFound: 'GW_ERR_TOOL_NOT_FOUND',
  /** Arguments failed the tool's input schema at the gateway. */
  InvalidArguments: 'GW_ERR_INVALID_ARGUMENTS',
  /** The tool is listed but no node answered on its subject (all providers are gone). */
  NoNode: 'GW_ERR_NO_NODE',
  /** No answer from the node within the call's deadline. */
  Timeout: 'GW_ERR_TIMEOUT',
  /** The arguments do not fit into one mesh message. */
  PayloadTooLarge: 'GW_ERR_PAYLOAD_TOO_LARGE',
  /** The node's reply could not be decoded. */
  BadNodeReply: 'GW_ERR_BAD_NODE_REPLY',
  /** The node answered in another mesh protocol version: gateway and node run different releases. */
  VersionMismatch: 'GW_ERR_VERSION_MISMATCH',
  /** The mesh connection is closed or draining. */
  Unavailable: 'GW_ERR_UNAVAILABLE',
  /** The MCP session id is unknown, forged or expired. */
  SessionInvalid: 'GW_ERR_SESSION_INVALID',
  /** The client went away or cancelled the call. */
  Cancelled: 'GW_ERR_CANCELLED',
  /** REST only: the tool asked for client input, which needs an interactive MCP client. */
  InputRequired: 'GW_ERR_INPUT_REQUIRED',
  /** REST only: the tool ran and reported a failure in its result (`isError`). */
  ToolResultError: 'GW_ERR_TOOL_RESULT',
  /** REST only: the request was malformed (bad JSON, wrong shape). */
  BadRequest: 'GW_ERR_BAD_REQUEST',
  /** The request body nests too deeply or holds an over-long string (EASYREMOTE_MAX_JSON_DEPTH / _MAX_STRING_LENGTH). */
  InputLimit: 'GW_ERR_INPUT_LIMIT',
  /** An unexpected failure inside the gateway; details are in its log, not in the answer. */
  Internal: 'GW_ERR_INTERNAL',
  /** The call ran, but its audit record could not be stored: the answer is withheld (fail closed). */
  AuditFailed: 'GW_ERR_AUDIT_FAILED',
  /** No route answers this method and path. */
  RouteNotFound: 'GW_ERR_ROUTE_NOT_FOUND',
  /** REST `/mcp/tasks/{id}`: no such task for this caller (unknown, expired, or another principal's). */
  TaskNotFound: 'GW_ERR_TASK_NOT_FOUND',
  /** The call's placement (`_meta["easyremote/placement"]`, REST `node`/`label`/`strategy`/`gpu`/`memory`/`cpus`/`model`) is malformed or has an unknown key, or the idempotency key is malformed. */
  InvalidPlacement: 'GW_ERR_INVALID_PLACEMENT',
  /** The tool is served, but no live node satisfies its requirements and the call's constraints. */
  NoMatchingNode: 'GW_ERR_NO_MATCHING_NODE',
  /** Every node that could run the call failed repeatedly and is skipped for a while (circuit open). */
  CircuitOpen: 'GW_ERR_CIRCUIT_OPEN',
  /** Every matching node stayed at its concurrency limit for the gateway's overload wait. */
  Overloaded: 'GW_ERR_OVERLOADED',
  /** The node running the call vanished (no heartbeat) and the call was not safe to retry. */
  NodeGone: 'GW_ERR_NODE_GONE',
  /** The gateway replica running a fan-out task (no one node owns it) stopped heartbeating. */
  TaskRunnerGone: 'GW_ERR_TASK_RUNNER_GONE',
  /** A fan-out chunk failed on every attempt (`data.failed` lists the chunks). */
  FanoutFailed: 'GW_ERR_FANOUT_FAILED',
  /** A fan-out's partial results could not be merged (type mismatch, merger failure). */
  FanoutMergeFailed: 'GW_ERR_FANOUT_MERGE_FAILED',
  /** The Host or Origin header is not allowed (DNS-rebinding and cross-site protection). */
  HostOriginRefused: 'GW_ERR_HOST_ORIGIN',
} as const;
export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

export class GatewayError extends EasyRemoteError {
  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown; data?: unknown }) {
    super(code, message, options);
    this.name = 'GatewayError';
  }
}
