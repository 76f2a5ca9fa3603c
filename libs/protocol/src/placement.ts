import { Type, type Static } from 'typebox';

/**
 * What a tool needs from the node that runs it (`ToolDescriptor.requirements`). A gateway only sends
 * the tool's calls to nodes whose advertised capabilities satisfy every field given.
 */
export const ToolRequirements = Type.Object({
  /** `true`: at least one GPU. An object: at least `count` GPUs, each with at least `memoryBytes`. */
  gpu: Type.Optional(
    Type.Union([
      Type.Boolean(),
      Type.Object({
        count: Type.Optional(Type.Integer({ minimum: 1 })),
        memoryBytes: Type.Optional(Type.Integer({ minimum: 0 })),
      }),
    ]),
  ),
  /** Total memory of the node, bytes. */
  memoryBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  cpus: Type.Optional(Type.Integer({ minimum: 1 })),
  /** A model the node must serve (`NodeCapabilities.models`). */
  model: Type.Optional(Type.String({ minLength: 1 })),
  /** The call argument naming the model the node must serve (e.g. `model`); ignored when the call leaves it out. */
  modelArgument: Type.Optional(Type.String({ minLength: 1 })),
  /** Labels the node must carry with exactly these values. */
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type ToolRequirements = Static<typeof ToolRequirements>;

/** How a gateway picks among the nodes that match a call. */
export const PlacementStrategy = {
  /** Fewest in-flight calls relative to capacity (gateway's own counts + heartbeat load). Default. */
  LeastLoaded: 'least-loaded',
  RoundRobin: 'round-robin',
  Random: 'random',
  /** Lowest expected wait: latency EWMA × (queue + 1). */
  LatencyAware: 'latency-aware',
  /** NATS queue group: whichever subscriber the server picks (no gateway choice). */
  Queue: 'queue',
} as const;
export type PlacementStrategy = (typeof PlacementStrategy)[keyof typeof PlacementStrategy];

/**
 * What one call needs from its node, on top of its tool's requirements (`PlacementConstraints.requirements`):
 * the fields of ToolRequirements that describe a machine. Unknown keys are refused, so a typo cannot
 * silently place a call on a node that lacks what it asked for.
 */
export const CallRequirements = Type.Object(
  {
    gpu: ToolRequirements.properties.gpu,
    memoryBytes: ToolRequirements.properties.memoryBytes,
    cpus: ToolRequirements.properties.cpus,
    model: ToolRequirements.properties.model,
  },
  { additionalProperties: false },
);
export type CallRequirements = Static<typeof CallRequirements>;

/**
 * Per-call constraints: MCP `_meta["easyremote/placement"]`, REST query `?node=&label=&strategy=`
 * and `requirements` (`?gpu=&memory=&cpus=&model=`). Closed: an unknown key is an error.
 */
export const PlacementConstraints = Type.Object(
  {
    /** Run on exactly this node (fails with GW_ERR_NO_MATCHING_NODE when it does not serve the tool). */
    nodeId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    strategy: Type.Optional(
      Type.Union([
        Type.Literal('least-loaded'),
        Type.Literal('round-robin'),
        Type.Literal('random'),
        Type.Literal('latency-aware'),
        Type.Literal('queue'),
      ]),
    ),
    /** This call's own needs, honoured like the tool's `requirements` (both must hold). */
    requirements: Type.Optional(CallRequirements),
  },
  { additionalProperties: false },
);
export type PlacementConstraints = Static<typeof PlacementConstraints>;

/** The `_meta` keys EasyRemote reads on requests and writes on results. */
export const MetaKey = {
  /** Result: id of the node that ran the call. */
  node: 'easyremote/node',
  /** Result of a failed call: `{ code, message, data? }`. */
  error: 'easyremote/error',
  /** Request: PlacementConstraints. */
  placement: 'easyremote/placement',
  /** Request: a caller-chosen key that makes the call safe to retry on another node. */
  idempotencyKey: 'easyremote/idempotencyKey',
  /** Result of a fan-out: `{ chunks, nodes, retries, failed }`. */
  fanout: 'easyremote/fanout',
  /** Result: how many nodes were tried (present when more than one). */
  attempts: 'easyremote/attempts',
} as const;
