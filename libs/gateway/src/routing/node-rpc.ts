import { randomUUID } from 'node:crypto';
import type { CallerClient, CallerIdentity, NodeRpcReply } from '@easyremote/protocol';
import {
  invokeNodeRpc,
  isMeshError,
  MeshErrorCode,
  resumeOnNode,
  type NodeRpcBody,
  type RpcClient,
} from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import { classifyMeshFailure, meshFailureError } from '../error-table.js';

/** What the gateway asks of a node's rpc; the mesh adds the version, request id and deadline. */
export type NodeRpcCall = Pick<NodeRpcBody, 'method' | 'params'>;

/** A node's answer, and which node gave it (needed to resume a parked 2026-era request there). */
export interface NodeRpcOutcome {
  reply: NodeRpcReply;
  nodeId: string | undefined;
  callId: string;
}

/**
 * Sends a non-tool operation (resources/read, prompts/get, completion/complete) to a node that
 * serves it. Providers are tried in order; one that has vanished (no responders) is forgotten and the
 * next is tried, so a dead node costs one fast round trip, not a timeout.
 */
export class NodeRpc {
  constructor(
    private readonly registry: RegistryView,
    private readonly rpc: RpcClient,
    private readonly timeoutMs: number,
  ) {}

  async call(
    providers: readonly string[],
    request: NodeRpcCall,
    options: { signal?: AbortSignal; client?: CallerClient; caller?: CallerIdentity } = {},
  ): Promise<NodeRpcOutcome> {
    const callId = randomUUID();
    const body: NodeRpcBody = {
      ...request,
      ...(options.client ? { client: options.client } : {}),
      ...(options.caller ? { caller: options.caller } : {}),
    };
    const deadline = Date.now() + this.timeoutMs;
    for (const nodeId of providers) {
      try {
        const reply = await invokeNodeRpc(this.rpc, nodeId, body, {
          callId,
          deadline,
          timeoutMs: this.timeoutMs,
          signal: options.signal,
        });
        return { reply, nodeId, callId };
      } catch (error) {
        if (isMeshError(error, MeshErrorCode.NoResponders)) {
          this.registry.forgetNode(nodeId);
          continue;
        }
        return { reply: this.#failure(error, request.method, nodeId), nodeId, callId };
      }
    }
    const what =
      request.method === 'prompts/get'
        ? 'prompt'
        : request.method === 'resources/read'
          ? 'resource'
          : 'completion target';
    return {
      reply: {
        ok: false,
        error: { code: GatewayErrorCode.NoNode, message: `no node is serving this ${what} right now` },
      },
      nodeId: undefined,
      callId,
    };
  }

  /** Continues a 2026-era request parked on `nodeId` with the client's input. */
  async resume(
    nodeId: string,
    callId: string,
    inputResponses: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<NodeRpcOutcome> {
    try {
      const reply = await resumeOnNode(this.rpc, nodeId, inputResponses, {
        callId,
        timeoutMs: this.timeoutMs,
        signal,
        rpc: true,
      });
      return { reply, nodeId, callId };
    } catch (error) {
      return { reply: this.#failure(error, 'resume', nodeId), nodeId, callId };
    }
  }

  #failure(error: unknown, method: string, nodeId: string): NodeRpcReply {
    return {
      ok: false,
      error: meshFailureError(classifyMeshFailure(error), { what: method, timeoutMs: this.timeoutMs, nodeId }),
    };
  }
}
