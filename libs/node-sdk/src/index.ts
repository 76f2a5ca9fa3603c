export { defineTool, isToolDefinition } from './define-tool.js';
export type {
  ToolDefinition,
  ToolAnnotations,
  ToolIcon,
  StructuredToolSpec,
  UnstructuredToolSpec,
  TaskOption,
} from './define-tool.js';
export type {
  FanoutOption,
  FanoutSplitOption,
  FanoutMergeOption,
  FanoutMergerName,
  FanoutPartialResult,
  MergeFunction,
  MergeContext,
  PlanFunction,
  ArrayArgument,
  NumberArgument,
} from './fanout-option.js';
export { defineResource } from './define-resource.js';
export type { ResourceDefinition, ResourceSpec, ResourceAnnotations } from './define-resource.js';
export { defineResourceTemplate } from './define-resource-template.js';
export type { ResourceTemplateDefinition, ResourceTemplateSpec, UriVariables } from './define-resource-template.js';
export type {
  ResourceContents,
  TextResourceContents,
  BlobResourceContents,
  ResourceContentsInput,
  ResourceReturn,
} from './resource-contents.js';
export { definePrompt } from './define-prompt.js';
export type { PromptDefinition, PromptSpec, PromptArgumentSpec, PromptArguments } from './define-prompt.js';
export type { PromptMessage, GetPromptResult, PromptReturn } from './prompt-messages.js';
export type { Completer, Completers, CompletionContext } from './completion-types.js';
export { MAX_COMPLETION_VALUES } from './complete.js';
export { defineMerger, isMergerDefinition } from './define-merger.js';
export type { MergerDefinition, MergerSpec } from './define-merger.js';
export { isNodeDefinition } from './node-catalog.js';
export type { NodeDefinition } from './node-catalog.js';
export { DefinitionKind } from './definition-brand.js';
export { toolResult, isToolResult } from './tool-result.js';
export type { ToolResult, ToolReturn, ContentBlock } from './tool-result.js';
export { LOG_LEVELS } from './tool-context.js';
export type {
  HandlerContext,
  ToolContext,
  ClientRequestOptions,
  LogLevel,
  ChunkInfo,
  TaskInfo,
} from './tool-context.js';
/** Who a call is for (`ctx.caller`): the gateway's principal and its scopes. */
export type { CallerIdentity } from '@easyremote/protocol';
export type { ClientMethod } from './client-requests.js';
export type {
  ElicitParams,
  ElicitFormParams,
  ElicitUrlParams,
  ElicitResult,
  CreateMessageParams,
  CreateMessageResult,
  SamplingMessage,
  ListRootsResult,
  Root,
} from './client-requests.js';
export { ToolError, RequestError, NodeSdkError, NodeSdkErrorCode } from './errors.js';
export { runTool, DEFAULT_TOOL_TIMEOUT_MS } from './run-tool.js';
export type { RunToolOptions, SimulatedClient } from './run-tool.js';
export { runFanout } from './run-fanout.js';
export type { RunFanoutOptions } from './run-fanout.js';
export { ComputeNode } from './compute-node.js';
export type { StopOptions } from './compute-node.js';
export type { ComputeNodeOptions, MeshConnectOptions } from './node-options.js';
export type { FinishedCall } from './node-runtime.js';
export { defaultNodeId } from './node-identity.js';
export { detectGpus, parseGpuList, parseNvidiaSmi } from './gpu-detect.js';
