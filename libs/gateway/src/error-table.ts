import { AuthErrorCode } from '@easyremote/auth';
import { WireErrorCode } from '@easyremote/protocol';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { GatewayErrorCode } from './errors.js';
import { TransportErrorCode } from './mcp/protocol-error.js';

/** How one failure code is shown to a caller, on each front door. */
export interface ErrorRendering {
  /** The HTTP status of a REST answer carrying this code. */
  readonly http: number;
  /** The JSON-RPC error code, when MCP answers this code as a protocol error. */
  readonly jsonRpc: number;
  /**
   * A failure of the tool call the model should read: MCP answers it as a `CallToolResult` with
   * `isError: true` rather than a JSON-RPC error. False: the request itself was wrong or the answer
   * must be withheld, so MCP answers a JSON-RPC error.
   */
  readonly toolError: boolean;
  /**
   * The HTTP status of an MCP answer carrying this code as a JSON-RPC error: 200 but for refusals the
   * MCP authorization spec gives their own status (401, 403).
   */
  readonly mcpHttp: number;
}

const { InvalidParams, InternalError } = ProtocolErrorCode;

const entry = (http: number, jsonRpc: number, toolError: boolean, mcpHttp = 200): ErrorRendering => ({
  http,
  jsonRpc,
  toolError,
  mcpHttp,
});
const { ServerError, SessionNotFound } = TransportErrorCode;

/**
 * Every code a call can end with — the gateway's own and those nodes put on the wire — and how it is
 * rendered. The one place where codes become HTTP statuses, JSON-RPC codes and `isError` results;
 * the front doors look codes up here and never decide by themselves.
 */
const TABLE: Readonly<Record<string, ErrorRendering>> = {
  // The request was wrong: a JSON-RPC error with invalid params, never a result.
  [GatewayErrorCode.ToolNotFound]: entry(404, InvalidParams, false),
  [GatewayErrorCode.InvalidPlacement]: entry(400, InvalidParams, false),
  [GatewayErrorCode.PayloadTooLarge]: entry(413, InvalidParams, false),
  [WireErrorCode.PayloadTooLarge]: entry(413, InvalidParams, false),
  // Over the payload limit on the way back: an error, never a truncated result.
  [WireErrorCode.ResultTooLarge]: entry(413, InternalError, false),
  // The call ran but its record could not be stored: the answer is withheld (ADR 0014).
  [GatewayErrorCode.AuditFailed]: entry(502, InternalError, false),
  [GatewayErrorCode.Unavailable]: entry(503, InternalError, true),
  [GatewayErrorCode.Internal]: entry(500, InternalError, false),
  [GatewayErrorCode.Config]: entry(500, InternalError, false),
  // Refused before any call was made (REST and /mcp front-door checks).
  [GatewayErrorCode.BadRequest]: entry(400, ProtocolErrorCode.InvalidRequest, false),
  [GatewayErrorCode.InputLimit]: entry(400, ProtocolErrorCode.InvalidRequest, false),
  [GatewayErrorCode.RouteNotFound]: entry(404, ProtocolErrorCode.InvalidRequest, false),
  [GatewayErrorCode.HostOriginRefused]: entry(403, ProtocolErrorCode.InvalidRequest, false),
  [GatewayErrorCode.SessionInvalid]: entry(404, SessionNotFound, false),
  // Refused by the caller's credentials or limits, before anything ran.
  [AuthErrorCode.Unauthenticated]: entry(401, ServerError, false, 401),
  [AuthErrorCode.InsufficientScope]: entry(403, ServerError, false, 403),
  [AuthErrorCode.RateLimited]: entry(429, ServerError, false),
  // Failures of the call the model can read and act on.
  [GatewayErrorCode.InvalidArguments]: entry(400, InvalidParams, true),
  [WireErrorCode.InvalidArguments]: entry(400, InvalidParams, true),
  [WireErrorCode.ToolNotFound]: entry(404, InternalError, true),
  [GatewayErrorCode.NoNode]: entry(503, InternalError, true),
  [GatewayErrorCode.NoMatchingNode]: entry(503, InternalError, true),
  [GatewayErrorCode.CircuitOpen]: entry(503, InternalError, true),
  [GatewayErrorCode.Overloaded]: entry(503, InternalError, true),
  [WireErrorCode.Overloaded]: entry(503, InternalError, true),
  [WireErrorCode.ShuttingDown]: entry(503, InternalError, true),
  [GatewayErrorCode.Timeout]: entry(504, InternalError, true),
  [WireErrorCode.DeadlineExceeded]: entry(504, InternalError, true),
  [GatewayErrorCode.Cancelled]: entry(499, InternalError, true),
  [WireErrorCode.Cancelled]: entry(499, InternalError, true),
  [GatewayErrorCode.InputRequired]: entry(409, InternalError, true),
  [GatewayErrorCode.ToolResultError]: entry(502, InternalError, true),
  [GatewayErrorCode.NodeGone]: entry(502, InternalError, true),
  [GatewayErrorCode.BadNodeReply]: entry(502, InternalError, true),
  [GatewayErrorCode.VersionMismatch]: entry(502, InternalError, true),
  [WireErrorCode.VersionMismatch]: entry(502, InternalError, true),
  [GatewayErrorCode.FanoutFailed]: entry(502, InternalError, true),
  [GatewayErrorCode.FanoutMergeFailed]: entry(502, InternalError, true),
  [WireErrorCode.HandlerFailed]: entry(502, InternalError, true),
  [WireErrorCode.InvalidOutput]: entry(502, InternalError, true),
  [WireErrorCode.BadRequest]: entry(502, InternalError, true),
  [WireErrorCode.NotFound]: entry(404, InvalidParams, true),
  [WireErrorCode.CallNotFound]: entry(404, InternalError, true),
  [WireErrorCode.ClientRequestFailed]: entry(502, InternalError, true),
};

/** A code nobody catalogued — a tool author's own `ToolError` code — is a failure of the tool, from upstream. */
const TOOL_OWN_CODE = entry(502, InternalError, true);

/** How `code` is rendered; a tool's own codes render as tool failures (HTTP 502). */
export function renderingOf(code: string): ErrorRendering {
  return TABLE[code] ?? TOOL_OWN_CODE;
}

/** The codes the table names (for its completeness test and docs/errors.md). */
export function renderedCodes(): string[] {
  return Object.keys(TABLE);
}

/** Codes whose messages are for the log only: a caller sees "Internal error". */
const LOG_ONLY = new Set<string>([GatewayErrorCode.Internal, GatewayErrorCode.Config]);

/**
 * A thrown error the front doors answer with its own code and message (an error carrying a code the
 * table names), as `{ code, message, data }`; undefined for anything else, which is an internal
 * error whose details stay in the log. Decided on the code, not the class: errors that crossed a
 * package or process boundary keep their code (see EasyRemoteError).
 */
export function renderableFailure(error: unknown): { code: string; message: string; data?: unknown } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, data } = error as Error & { code?: unknown; data?: unknown };
  if (typeof code !== 'string' || !Object.hasOwn(TABLE, code) || LOG_ONLY.has(code)) return undefined;
  return { code, message: error.message, ...(data === undefined ? {} : { data }) };
}
