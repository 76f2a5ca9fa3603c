import { randomUUID } from 'node:crypto';
import { connectMesh, invokeTool, RpcClient } from '@easyremote/mesh';
import { toolSubject } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';

export interface DirectCaller extends AsyncDisposable {
  /** Calls a tool over NATS (the `remote()` path, no HTTP); resolves with the answering node's id. */
  call(tool: string, args?: Record<string, unknown>): Promise<string>;
}

/** A direct NATS caller connected to one server, e.g. an application at an edge site. */
export async function directCaller(url: string): Promise<DirectCaller> {
  const nc: NatsConnection = await connectMesh({ servers: url, name: 'topology-direct-caller' });
  const rpc = new RpcClient(nc);
  return {
    async call(tool, args = {}) {
      const { response, nodeId } = await invokeTool(
        rpc,
        toolSubject(tool),
        { tool, arguments: args },
        { timeoutMs: 3_000, callId: randomUUID() },
      );
      if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
      return nodeId ?? 'unknown';
    },
    async [Symbol.asyncDispose]() {
      rpc.close();
      await nc.close();
    },
  };
}
