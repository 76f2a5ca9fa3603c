import { Type, type Static } from 'typebox';

/**
 * Fan-out: a tool whose work splits into chunks that run in parallel on every node serving it, and
 * whose partial results merge into one. The tool declares it in its descriptor (`fanout`); the gateway
 * splits, dispatches, retries failed chunks on other nodes, reports progress per chunk and merges in
 * chunk order. Declaring fan-out asserts that running a chunk twice is harmless (chunks are retried).
 */

/** Built-in mergers, applied to a whole result or per field of `structuredContent`. */
export const FanoutMerger = {
  /** Arrays concatenated in chunk order (strings are joined). */
  Concat: 'concat',
  /** Numbers added. */
  Sum: 'sum',
  /** Objects merged shallowly in chunk order (a later chunk's key wins). */
  Merge: 'merge',
  Min: 'min',
  Max: 'max',
  /** The first chunk's value. */
  First: 'first',
  /** The last chunk's value. */
  Last: 'last',
} as const;
export type FanoutMerger = (typeof FanoutMerger)[keyof typeof FanoutMerger];

const BuiltinMerger = Type.Union([
  Type.Literal('concat'),
  Type.Literal('sum'),
  Type.Literal('merge'),
  Type.Literal('min'),
  Type.Literal('max'),
  Type.Literal('first'),
  Type.Literal('last'),
]);

/**
 * How the work splits.
 * - `array`: the gateway slices the array argument `argument` into chunks of `chunkSize` items (a call
 *   may override the size with the integer argument named by `chunkSizeArgument`); each chunk is a call
 *   with the same arguments except that array.
 * - `plan`: the tool's own code splits (data sets, byte ranges, row ranges): a node serving the tool
 *   answers `fanout/plan` with a list of JSON chunk descriptors; each chunk is a call with the original
 *   arguments and `CallRequest.chunk.data` = its descriptor.
 */
export const FanoutSplit = Type.Union([
  Type.Object({
    kind: Type.Literal('array'),
    argument: Type.String({ minLength: 1 }),
    chunkSize: Type.Integer({ minimum: 1 }),
    chunkSizeArgument: Type.Optional(Type.String({ minLength: 1 })),
  }),
  Type.Object({ kind: Type.Literal('plan') }),
]);
export type FanoutSplit = Static<typeof FanoutSplit>;

/**
 * How partial results merge (always in chunk order, so the answer does not depend on timing).
 * - `builtin`: one merger over the whole result (`structuredContent` when the tool has an output
 *   schema, else the content blocks: `concat` only).
 * - `fields`: a merger per `structuredContent` field; unlisted fields use `default` (`first`).
 * - `reducer`: a named merger registered on nodes (advertised in `NodeAdvert.mergers`), run through
 *   `fanout/merge` on a node that has it.
 * - `tool`: a reduce tool, called as a normal tool with `{ partials, arguments }` (see FanoutReduceArguments).
 */
export const FanoutMerge = Type.Union([
  Type.Object({ kind: Type.Literal('builtin'), merger: BuiltinMerger }),
  Type.Object({
    kind: Type.Literal('fields'),
    fields: Type.Record(Type.String(), BuiltinMerger),
    default: Type.Optional(BuiltinMerger),
  }),
  Type.Object({ kind: Type.Literal('reducer'), name: Type.String({ minLength: 1 }) }),
  Type.Object({ kind: Type.Literal('tool'), tool: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }) }),
]);
export type FanoutMerge = Static<typeof FanoutMerge>;

/** What happens when a chunk still fails after its attempts: fail the call (default), or merge the rest. */
export const FanoutFailurePolicy = { Fail: 'fail', Partial: 'partial' } as const;
export type FanoutFailurePolicy = (typeof FanoutFailurePolicy)[keyof typeof FanoutFailurePolicy];

/** `ToolDescriptor.fanout`. */
export const FanoutSpec = Type.Object({
  split: FanoutSplit,
  merge: FanoutMerge,
  /** Attempts per chunk, each on another node when one is left (default 3). */
  maxAttemptsPerChunk: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  /** Chunks in flight at once for one call (default: the free capacity of the matching nodes). */
  maxParallel: Type.Optional(Type.Integer({ minimum: 1 })),
  onChunkFailure: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('partial')])),
});
export type FanoutSpec = Static<typeof FanoutSpec>;

/** `CallRequest.chunk`: set on each chunk call of a fan-out; the handler sees it as `ctx.chunk`. */
export const FanoutChunk = Type.Object({
  /** 0-based position of the chunk; results merge in this order. */
  index: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 1 }),
  /** `array` split: index of this chunk's first item in the original array. */
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  /** `plan` split: this chunk's descriptor, as the plan returned it. */
  data: Type.Optional(Type.Unknown()),
});
export type FanoutChunk = Static<typeof FanoutChunk>;

/** One chunk's result, as mergers and reduce tools receive it. */
export const FanoutPartial = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  nodeId: Type.Optional(Type.String()),
  content: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  structuredContent: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type FanoutPartial = Static<typeof FanoutPartial>;

/** `nodes.<id>.rpc` `fanout/plan` params → result `{ chunks: unknown[] }`. */
export const FanoutPlanParams = Type.Object({
  tool: Type.String({ minLength: 1 }),
  arguments: Type.Record(Type.String(), Type.Unknown()),
});
export type FanoutPlanParams = Static<typeof FanoutPlanParams>;

/** `nodes.<id>.rpc` `fanout/merge` params → result: a CallResult. */
export const FanoutMergeParams = Type.Object({
  merger: Type.String({ minLength: 1 }),
  tool: Type.String({ minLength: 1 }),
  arguments: Type.Record(Type.String(), Type.Unknown()),
  partials: Type.Array(FanoutPartial),
});
export type FanoutMergeParams = Static<typeof FanoutMergeParams>;

/** The arguments a `{ kind: 'tool' }` reduce tool is called with. */
export const FanoutReduceArguments = Type.Object({
  partials: Type.Array(FanoutPartial),
  /** The original call's arguments. */
  arguments: Type.Record(Type.String(), Type.Unknown()),
});
export type FanoutReduceArguments = Static<typeof FanoutReduceArguments>;

/** Defaults the gateway applies when the descriptor leaves a field out. */
export const FANOUT_DEFAULT_ATTEMPTS = 3;
