import { isMeshError, MeshErrorCode } from '@easyremote/mesh';
import { GatewayError, GatewayErrorCode } from '../errors.js';
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
  /** Anything else: a reply that could not be read. */
  | { kind: 'unreadable' };

/**
 * Classifies a failed mesh request, for the three places that send to nodes (calls, resumes, node
 * rpc) — each keeps its own side effects (breakers, forgetting nodes) and messages. A request that
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
  if (isMeshError(error, MeshErrorCode.Closed))
    throw new GatewayError(GatewayErrorCode.Unavailable, 'The gateway is not connected to the mesh', { cause: error });
  return { kind: 'unreadable' };
}
