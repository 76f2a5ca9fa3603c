export { EasyRemoteError, hasErrorCode, WireErrorCode } from './errors.js';
export {
  TOOL_NAME_PATTERN,
  NODE_ID_PATTERN,
  isValidToolName,
  isValidNodeId,
  toolNameToToken,
  tokenToToolName,
} from './tool-name.js';
export {
  Subjects,
  TOOL_QUEUE_GROUP,
  REGISTRY_BUCKET,
  GRANTS_BUCKET,
  CANCEL_SUBJECT,
  GATEWAY_CANCEL_SUBJECT,
  RESOURCE_UPDATED_SUBJECT,
  DATA_BUCKET,
  PAYLOAD_BUCKET,
  toolSubject,
  nodeCallSubject,
  nodeRpcSubject,
  nodeResumeSubject,
  gatewayNotifySubject,
  gatewayResponseSubject,
  registryKey,
} from './subjects.js';
export { Headers } from './subjects.js';
export { TASK_ID_PATTERN, isValidTaskId, TaskSupport, TaskRef } from './task-ref.js';
export {
  TASKS_BUCKET,
  taskRecordKey,
  nodeTaskKey,
  taskChunkKey,
  splitChunks,
  joinTaskState,
  taskStateValues,
  MAX_STATE_BYTES,
  NodeTaskState,
  decodeNodeTaskState,
} from './tasks.js';
export { MESH_PROTOCOL_VERSION, MODERN_MCP_VERSION, LEGACY_MCP_VERSIONS } from './version.js';
export type { McpEra } from './version.js';
export {
  CallRequest,
  CallResult,
  CallResponse,
  CallReply,
  CallNotification,
  WireError,
  InputRequest,
  ClientRequest,
  ClientReply,
  ResumeRequest,
  NodeRpcRequest,
  NodeRpcResponse,
  NodeRpcReply,
  NodeRpcAnswer,
  CallerClient,
  CallerIdentity,
  CancelCall,
} from './envelope.js';
export {
  parseResourceReference,
  canonicalResourceUri,
  scopeGlob,
  ResourceReadScopes,
  resourceReadScopes,
} from './resource-scopes.js';
export type { ResourceReference } from './resource-scopes.js';
export {
  ToolMetadata,
  ToolDescriptor,
  ResourceDescriptor,
  ResourceTemplateDescriptor,
  PromptDescriptor,
  GpuInfo,
  NodeCapabilities,
  NodeLoad,
  NodeAdvert,
} from './advert.js';
export {
  FanoutMerger,
  FanoutSplit,
  FanoutMerge,
  FanoutFailurePolicy,
  FanoutSpec,
  FanoutChunk,
  FanoutPartial,
  FanoutPlanParams,
  FanoutMergeParams,
  FanoutReduceArguments,
  FANOUT_DEFAULT_ATTEMPTS,
} from './fanout.js';
export { splitArrayArguments, planChunkCalls, mergeValues, mergeBuiltin } from './fanout-merge.js';
export type { ChunkCall, MergeOutcome } from './fanout-merge.js';
export { ToolRequirements, CallRequirements, PlacementStrategy, PlacementConstraints, MetaKey } from './placement.js';
export {
  ProtocolErrorCode,
  encodeJson,
  encodeUtf8,
  checkMeshVersion,
  callIdOf,
  decodeCallRequest,
  decodeCallReply,
  decodeNodeRpcAnswer,
  decodeNodeAdvert,
  decodeCallNotification,
  decodeClientRequest,
  decodeClientReply,
  decodeResumeRequest,
  decodeNodeRpcRequest,
  decodeCancelCall,
} from './codec.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { canonicalJson } from './canonical-json.js';
export { parseByteSize } from './byte-size.js';
