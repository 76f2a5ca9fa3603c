export { connectMesh } from './connect-mesh.js';
export type { ConnectMeshOptions } from './connect-mesh.js';
export {
  DEFAULT_NATS_URL,
  hasNatsCredentials,
  meshOptionsFromEnv,
  natsClientOptionsFromEnv,
  natsServersFromEnv,
} from './mesh-env.js';
export type { NatsClientOptions } from './mesh-env.js';
export { RpcClient } from './rpc-client.js';
export type { RpcClientOptions, RpcReply, RpcRequestOptions } from './rpc-client.js';
export { invokeTool } from './invoke-tool.js';
export { invokeNodeRpc, resumeOnNode } from './invoke-node-rpc.js';
export type { NodeRpcBody, NodeRequestOptions } from './invoke-node-rpc.js';
export { publishToStream } from './stream-publish.js';
export { StreamBatcher, encodeRecordBatch, decodeRecordBatch } from './stream-batcher.js';
export type { StreamBatcherOptions } from './stream-batcher.js';
export type { CallBody, InvokeToolOptions, InvokeToolResult } from './invoke-tool.js';
export { MeshError, MeshErrorCode, isMeshError } from './errors.js';
export { PayloadStore, DEFAULT_MAX_PAYLOAD_BYTES } from './payload-store.js';
export type { PayloadStoreOptions } from './payload-store.js';
export { enableWireDeviations, logWireDeviations, PINNED_NATS_VERSION } from './wire/index.js';
export type { WireDeviationReport } from './wire/index.js';
