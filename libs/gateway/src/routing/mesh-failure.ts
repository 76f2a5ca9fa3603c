import { isMeshError, MeshErrorCode } from '@easyremote/mesh';
import { hasErrorCode, ProtocolErrorCode, type WireError } from '@easyremote/protocol';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { failedOutcome, type FailedOutcome } from '../pipeline/call-outcome.js';
import { NodeGone } from './node-attempts.js';

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
 * rpc) — each keeps its own side effects (breakers, forgetting nodes); meshFailureError words it. A request that
 * never left the gateway is not a call outcome but a refusal, thrown as the GatewayError the front
 * doors answer: over one message's size (`GW_ERR_PAYLOAD_TOO_LARGE`), or no mesh connection
 * (`GW_ERR_UNAVAILABLE`).
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
  if (hasErrorCode(error, ProtocolErrorCode.VersionMismatch))
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

/** A failed mesh request of a tool call as its outcome; rethrows a request that never left (see above). */
export function meshFailureOutcome(error: unknown, callId: string, about: MeshRequestSubject): FailedOutcome {
  const { code, message } = meshFailureError(classifyMeshFailure(error), about);
  return failedOutcome(callId, code, message, { nodeId: about.nodeId });
}
