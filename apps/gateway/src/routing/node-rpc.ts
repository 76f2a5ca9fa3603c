import { randomUUID } from 'node:crypto';
import {
  decodeNodeRpcReply,
  encodeJson,
  Headers,
  MESH_PROTOCOL_VERSION,
  nodeResumeSubject,
  nodeRpcSubject,
  type CallerClient,
  type CallerIdentity,
  type NodeRpcReply,
  type NodeRpcRequest,
} from '@easyremote/protocol';
import { isMeshError, MeshErrorCode, type RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import { classifyMeshFailure, meshFailureError } from './mesh-failure.js';

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
    request: NodeRpcRequest,
    options: { signal?: AbortSignal; client?: CallerClient; caller?: CallerIdentity } = {},
  ): Promise<NodeRpcOutcome> {
    const callId = randomUUID();
    const body: NodeRpcRequest = {
      ...request,
      ...(options.client ? { client: options.client } : {}),
      ...(options.caller ? { caller: options.caller } : {}),
    };
    const data = encodeJson(body);
    const headers = {
      [Headers.callId]: callId,
      [Headers.deadline]: String(Date.now() + this.timeoutMs),
      [Headers.version]: String(MESH_PROTOCOL_VERSION),
    };
    for (const nodeId of providers) {
      try {
        const reply = await this.rpc.request(nodeRpcSubject(nodeId), data, {
          timeoutMs: this.timeoutMs,
          headers,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return { reply: decodeNodeRpcReply(reply.data), nodeId, callId };
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
      const reply = await this.rpc.request(nodeResumeSubject(nodeId), encodeJson({ callId, inputResponses }), {
        timeoutMs: this.timeoutMs,
        ...(signal ? { signal } : {}),
      });
      return { reply: decodeNodeRpcReply(reply.data), nodeId, callId };
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
