import { decodeNodeRpcResponse, encodeJson, nodeRpcSubject, type NodeRpcRequest, type NodeRpcResponse } from '@easyremote/protocol';
import { isMeshError, MeshErrorCode, type RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';

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

  async call(providers: readonly string[], request: NodeRpcRequest, signal?: AbortSignal): Promise<NodeRpcResponse> {
    const data = encodeJson(request);
    for (const nodeId of providers) {
      try {
        const reply = await this.rpc.request(nodeRpcSubject(nodeId), data, { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) });
        return decodeNodeRpcResponse(reply.data);
      } catch (error) {
        if (isMeshError(error, MeshErrorCode.NoResponders)) {
          this.registry.forgetNode(nodeId);
          continue;
        }
        if (isMeshError(error, MeshErrorCode.Timeout)) {
          return { ok: false, error: { code: GatewayErrorCode.Timeout, message: `node ${nodeId} did not answer ${request.method} within ${this.timeoutMs} ms` } };
        }
        if (isMeshError(error, MeshErrorCode.Cancelled)) {
          return { ok: false, error: { code: GatewayErrorCode.Cancelled, message: `${request.method} was cancelled` } };
        }
        throw error;
      }
    }
    return { ok: false, error: { code: GatewayErrorCode.NoNode, message: `no node is serving this ${request.method === 'prompts/get' ? 'prompt' : 'resource'} right now` } };
  }
}
