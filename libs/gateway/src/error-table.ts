import { AuthErrorCode } from '@easyremote/auth';
import { isMeshError, MeshErrorCode } from '@easyremote/mesh';
import {
  hasErrorCode,
  ProtocolErrorCode as MeshProtocolErrorCode,
  WireErrorCode,
  type WireError,
} from '@easyremote/protocol';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { GatewayError, GatewayErrorCode } from './errors.js';
import { TransportErrorCode } from './mcp/protocol-error.js';
import { NodeGone } from './routing/node-attempts.js';

/*
 * The gateway's one place where failures meet codes: what a failed mesh request means and how it is
 * worded (below the table), and how every code is shown on each front door (the table).
 */

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
  [GatewayErrorCode.TaskNotFound]: entry(404, InvalidParams, false),
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
  [GatewayErrorCode.TaskRunnerGone]: entry(502, InternalError, true),
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
  // The handler failed the request rather than its result (node-sdk RequestError): a JSON-RPC error.
  [WireErrorCode.RequestFailed]: entry(502, InternalError, false),
  [WireErrorCode.TaskStoreFailed]: entry(502, InternalError, false),
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

/** What a failed request to a node means for the call that made it. */
export type MeshFailure =
  /** Nobody subscribes to the subject: the node (or every provider) is gone; nothing ran. */
  | { kind: 'no-responders' }
  /** No reply within the deadline: the node may still be running it. */
  | { kind: 'timeout' }
  /** The caller cancelled. */
  | { kind: 'cancelled' }
  /** The node stopped heartbeating while it ran the call. */
  | { kind: 'node-gone'; nodeId: string }
  /** The node answered in another mesh protocol version (`detail` says which). */
  | { kind: 'version-mismatch'; detail: string }
  /** Anything else: a reply that could not be read. */
  | { kind: 'unreadable' };

/**
 * Classifies a failed mesh request, for the three places that send to nodes (calls, resumes, node
 * rpc) — each keeps its own side effects (breakers, forgetting nodes); meshFailureError words it.
 * A request that never left the gateway is not a call outcome but a refusal, thrown as the
 * GatewayError the front doors answer: over one message's size (`GW_ERR_PAYLOAD_TOO_LARGE`), or no
 * mesh connection (`GW_ERR_UNAVAILABLE`).
 */
export function classifyMeshFailure(error: unknown): MeshFailure {
  if (isMeshError(error, MeshErrorCode.NoResponders)) return { kind: 'no-responders' };
  if (isMeshError(error, MeshErrorCode.Timeout)) return { kind: 'timeout' };
  if (isMeshError(error, MeshErrorCode.Cancelled)) {
    const cause = (error as Error).cause;
    return cause instanceof NodeGone ? { kind: 'node-gone', nodeId: cause.nodeId } : { kind: 'cancelled' };
  }
  if (isMeshError(error, MeshErrorCode.PayloadTooLarge)) {
    throw new GatewayError(GatewayErrorCode.PayloadTooLarge, (error as Error).message, {
      cause: error,
      data: (error as { data?: unknown }).data,
    });
  }
  if (hasErrorCode(error, MeshProtocolErrorCode.VersionMismatch))
    return { kind: 'version-mismatch', detail: (error as Error).message };
  if (isMeshError(error, MeshErrorCode.Closed))
    throw new GatewayError(GatewayErrorCode.Unavailable, 'The gateway is not connected to the mesh', { cause: error });
  return { kind: 'unreadable' };
}

/** What was asked of the mesh, for the wording of its failure. */
export interface MeshRequestSubject {
  /** `tool echo`, `prompts/get`... */
  what: string;
  timeoutMs: number;
  /** The node asked, when the request went to one node. */
  nodeId?: string | undefined;
}

/** A mesh failure as the error the caller sees: the one wording for calls, resumes and node requests. */
export function meshFailureError(failure: MeshFailure, about: MeshRequestSubject): WireError {
  const on = about.nodeId === undefined ? '' : ` on node ${about.nodeId}`;
  switch (failure.kind) {
    case 'no-responders':
      return { code: GatewayErrorCode.NoNode, message: `No node is serving ${about.what} right now` };
    case 'timeout':
      return {
        code: GatewayErrorCode.Timeout,
        message: `No answer from ${about.what} within ${about.timeoutMs} ms${on}`,
      };
    case 'node-gone':
      return {
        code: GatewayErrorCode.NodeGone,
        message: `Node ${failure.nodeId} left the mesh while running ${about.what}`,
      };
    case 'cancelled':
      return { code: GatewayErrorCode.Cancelled, message: `Call to ${about.what} was cancelled` };
    case 'version-mismatch':
      return {
        code: GatewayErrorCode.VersionMismatch,
        message: `The node serving ${about.what}${on} runs another EasyRemote release than this gateway: the ${failure.detail}`,
      };
    case 'unreadable':
      return {
        code: GatewayErrorCode.BadNodeReply,
        message: `The node serving ${about.what} sent a reply the gateway could not read`,
      };
  }
}
