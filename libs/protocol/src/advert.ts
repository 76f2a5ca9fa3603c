import { Type, type Static } from 'typebox';
import { FanoutSpec } from './fanout.js';
import { ToolRequirements } from './placement.js';
import { TaskSupport } from './task-ref.js';

/** The seed's tool metadata (category, tags, security level), carried beside the MCP fields. */
export const ToolMetadata = Type.Object({
  category: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  securityLevel: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('standard'), Type.Literal('high')])),
  /**
   * Opt-in result caching for an idempotent tool whose result depends only on its arguments: gateways
   * answer the same arguments from a shared cache for this long (ms) after a successful call.
   */
  cacheTtlMs: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type ToolMetadata = Static<typeof ToolMetadata>;

const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** What a node advertises for each tool: the MCP `Tool` fields plus EasyRemote metadata. */
export const ToolDescriptor = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  inputSchema: JsonObject,
  outputSchema: Type.Optional(JsonObject),
  annotations: Type.Optional(JsonObject),
  icons: Type.Optional(Type.Array(JsonObject)),
  metadata: Type.Optional(ToolMetadata),
  /** Per-tool deadline the node enforces; the gateway never waits longer than this. */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
  /** What a node needs to run the tool; gateways place calls only on nodes that satisfy it. */
  requirements: Type.Optional(ToolRequirements),
  /** How the tool's work splits across nodes and how partial results merge (see fanout.ts). */
  fanout: Type.Optional(FanoutSpec),
  /** MCP `execution`: whether calls may (or must) run as durable tasks. */
  execution: Type.Optional(Type.Object({ taskSupport: Type.Optional(TaskSupport) })),
});
export type ToolDescriptor = Static<typeof ToolDescriptor>;

/** A concrete resource a node serves (`resources/list`, `resources/read`). */
export const ResourceDescriptor = Type.Object({
  uri: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  mimeType: Type.Optional(Type.String()),
  size: Type.Optional(Type.Integer({ minimum: 0 })),
  annotations: Type.Optional(JsonObject),
  icons: Type.Optional(Type.Array(JsonObject)),
});
export type ResourceDescriptor = Static<typeof ResourceDescriptor>;

/** An RFC 6570 URI template a node can read (`resources/templates/list`). */
export const ResourceTemplateDescriptor = Type.Object({
  uriTemplate: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  mimeType: Type.Optional(Type.String()),
  annotations: Type.Optional(JsonObject),
  icons: Type.Optional(Type.Array(JsonObject)),
  /** Template variables the node can complete (`completion/complete` with a `ref/resource`). */
  completable: Type.Optional(Type.Array(Type.String())),
});
export type ResourceTemplateDescriptor = Static<typeof ResourceTemplateDescriptor>;

export const PromptDescriptor = Type.Object({
  name: Type.String({ minLength: 1 }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  arguments: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1 }),
        title: Type.Optional(Type.String()),
        description: Type.Optional(Type.String()),
        required: Type.Optional(Type.Boolean()),
      }),
    ),
  ),
  icons: Type.Optional(Type.Array(JsonObject)),
  /** Arguments the node can complete (`completion/complete` with a `ref/prompt`). */
  completable: Type.Optional(Type.Array(Type.String())),
});
export type PromptDescriptor = Static<typeof PromptDescriptor>;

/** One GPU of a node (from `nvidia-smi`, or the operator's override). */
export const GpuInfo = Type.Object({
  name: Type.String(),
  memoryBytes: Type.Integer({ minimum: 0 }),
});
export type GpuInfo = Static<typeof GpuInfo>;

export const NodeCapabilities = Type.Object({
  cpus: Type.Integer({ minimum: 0 }),
  memoryBytes: Type.Integer({ minimum: 0 }),
  platform: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  /** CPU architecture (`x64`, `arm64`). */
  arch: Type.Optional(Type.String()),
  gpus: Type.Optional(Type.Array(GpuInfo)),
  /** Models the node's backends serve (matched by ToolRequirements.model / modelArgument). */
  models: Type.Optional(Type.Array(Type.String())),
});
export type NodeCapabilities = Static<typeof NodeCapabilities>;

/** The node's load at its last heartbeat. */
export const NodeLoad = Type.Object({
  inFlight: Type.Integer({ minimum: 0 }),
  maxConcurrency: Type.Integer({ minimum: 1 }),
  /** Exponentially weighted moving average of call durations, ms (absent before the first call). */
  latencyEwmaMs: Type.Optional(Type.Number({ minimum: 0 })),
  /** Exponentially weighted share of calls that failed (0..1; tool errors count, declines do not). */
  errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** Calls finished since the node started. */
  completed: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Calls declined with NODE_ERR_OVERLOADED since the node started. */
  declined: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type NodeLoad = Static<typeof NodeLoad>;

/**
 * One node's entry in the registry bucket (key = node id). Re-put on every heartbeat; deleted on
 * graceful shutdown. `instanceId` changes on every start, so a restarted node is a new instance.
 */
export const NodeAdvert = Type.Object({
  version: Type.Literal(1),
  nodeId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  instanceId: Type.String({ minLength: 1 }),
  startedAt: Type.Integer(),
  /** Node clock at the last heartbeat, epoch ms (informational; liveness uses the gateway's clock). */
  heartbeatAt: Type.Integer(),
  /** A gateway drops the node when no heartbeat arrived for this long. */
  ttlMs: Type.Integer({ minimum: 100 }),
  tools: Type.Array(ToolDescriptor),
  resources: Type.Optional(Type.Array(ResourceDescriptor)),
  resourceTemplates: Type.Optional(Type.Array(ResourceTemplateDescriptor)),
  prompts: Type.Optional(Type.Array(PromptDescriptor)),
  capabilities: NodeCapabilities,
  load: NodeLoad,
  /** Named fan-out mergers this node runs (`fanout/merge` on `nodes.<id>.rpc`). */
  mergers: Type.Optional(Type.Array(Type.String())),
});
export type NodeAdvert = Static<typeof NodeAdvert>;
