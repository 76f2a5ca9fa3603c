import { Type, type Static } from 'typebox';

/** The seed's tool metadata (category, tags, security level), carried beside the MCP fields. */
export const ToolMetadata = Type.Object({
  category: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  securityLevel: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('standard'), Type.Literal('high')])),
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
    Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), title: Type.Optional(Type.String()), description: Type.Optional(Type.String()), required: Type.Optional(Type.Boolean()) })),
  ),
  icons: Type.Optional(Type.Array(JsonObject)),
  /** Arguments the node can complete (`completion/complete` with a `ref/prompt`). */
  completable: Type.Optional(Type.Array(Type.String())),
});
export type PromptDescriptor = Static<typeof PromptDescriptor>;

export const NodeCapabilities = Type.Object({
  cpus: Type.Integer({ minimum: 0 }),
  memoryBytes: Type.Integer({ minimum: 0 }),
  platform: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
});
export type NodeCapabilities = Static<typeof NodeCapabilities>;

export const NodeLoad = Type.Object({
  inFlight: Type.Integer({ minimum: 0 }),
  maxConcurrency: Type.Integer({ minimum: 1 }),
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
});
export type NodeAdvert = Static<typeof NodeAdvert>;
