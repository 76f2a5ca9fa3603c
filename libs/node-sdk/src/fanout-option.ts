import { FanoutMerger, type FanoutMerge, type FanoutSpec } from '@easyremote/protocol';
import type { HandlerContext } from './tool-context.js';
import type { ContentBlock } from './tool-result.js';

/** A built-in merger: `concat`, `sum`, `merge`, `min`, `max`, `first`, `last`. */
export type FanoutMergerName = FanoutMerger;

/** Keys of `A` whose value is an array: what an `array` split may name. */
export type ArrayArgument<A> = { [K in keyof A]-?: NonNullable<A[K]> extends readonly unknown[] ? K : never }[keyof A] &
  string;

/** Keys of `A` whose value is a number: what `chunkSizeArgument` may name. */
export type NumberArgument<A> = { [K in keyof A]-?: NonNullable<A[K]> extends number ? K : never }[keyof A] & string;

/** One chunk's result, as a merge function receives it (always in chunk order). */
export interface FanoutPartialResult<S> {
  readonly index: number;
  /** The node that ran the chunk. */
  readonly nodeId: string | undefined;
  readonly content: readonly ContentBlock[];
  /** The chunk's structured result (tools with an output schema). */
  readonly structuredContent: S | undefined;
}

/** A merge function's context: a HandlerContext plus the call being merged. */
export interface MergeContext<A = Record<string, unknown>> extends HandlerContext {
  /** The tool whose chunks are merged. */
  readonly tool: string;
  /** The original (unsplit) call's arguments. */
  readonly arguments: A;
}

/**
 * Merges partial results into the tool's result. For a tool with an output schema return its
 * `Static<output>` (checked against the schema); otherwise anything a handler may return (ToolReturn).
 */
export type MergeFunction<A, S> = (partials: readonly FanoutPartialResult<S>[], ctx: MergeContext<A>) => unknown;

/**
 * How partial results merge:
 * - a built-in name over the whole result (`concat` also concatenates unstructured content blocks);
 * - `{ fields: { images: 'concat', total: 'sum' }, default? }` per structuredContent field (default `first`);
 * - `{ reducer: 'name' }` a merger registered with `defineMerger` on the nodes;
 * - `{ tool: 'name' }` a reduce tool called with `{ partials, arguments }`;
 * - a function: runs on a node serving this tool (advertised as a reducer named after the tool).
 */
export type FanoutMergeOption<A, S> =
  | FanoutMergerName
  | { readonly fields: { readonly [K in keyof S]?: FanoutMergerName }; readonly default?: FanoutMergerName }
  | { readonly reducer: string }
  | { readonly tool: string }
  | MergeFunction<A, S>;

/** Splits the work itself: returns one JSON descriptor per chunk (ranges, file parts, ...). */
export type PlanFunction<A> = (args: A, ctx: HandlerContext) => readonly unknown[] | Promise<readonly unknown[]>;

/**
 * How the work splits:
 * - `{ argument, chunkSize, chunkSizeArgument? }`: the gateway slices that array argument; each chunk
 *   call gets the same arguments with a slice of at most `chunkSize` items (a call may override the
 *   size through the number argument `chunkSizeArgument`);
 * - `{ plan }`: a node serving the tool runs `plan(args)` and each chunk call gets the unsplit
 *   arguments plus `ctx.chunk.data` = one element of the plan.
 */
export type FanoutSplitOption<A> =
  | { readonly argument: ArrayArgument<A>; readonly chunkSize: number; readonly chunkSizeArgument?: NumberArgument<A> }
  | { readonly plan: PlanFunction<A> };

/** `defineTool({ fanout })`: how a tool's work splits across nodes and how its results merge. */
export interface FanoutOption<A, S> {
  readonly split: FanoutSplitOption<A>;
  readonly merge: FanoutMergeOption<A, S>;
  /** Attempts per chunk, each on another node while one is left. Default 3, at most 10. */
  readonly maxAttemptsPerChunk?: number;
  /** Chunks in flight at once for one call. Default: the free capacity of the matching nodes. */
  readonly maxParallel?: number;
  /** `fail` (default): a chunk that fails every attempt fails the call; `partial`: merge the rest. */
  readonly onChunkFailure?: 'fail' | 'partial';
}

/** The parts of a fan-out option the node runs; the descriptor is what it advertises. */
export interface CompiledFanout {
  readonly descriptor: FanoutSpec;
  readonly plan: PlanFunction<unknown> | undefined;
  /** Set when `merge` is a function: served as the reducer named after the tool. */
  readonly merge: MergeFunction<unknown, unknown> | undefined;
}

const BUILTIN = new Set<string>(Object.values(FanoutMerger));

function builtin(value: unknown, where: string): FanoutMerger {
  if (typeof value !== 'string' || !BUILTIN.has(value)) {
    throw new TypeError(`${where} must be one of ${[...BUILTIN].join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as FanoutMerger;
}

function positive(value: number | undefined, name: string, max = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
    throw new TypeError(`fanout.${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
}

function compileMerge(toolName: string, merge: FanoutMergeOption<unknown, unknown>): FanoutMerge {
  if (typeof merge === 'function') return { kind: 'reducer', name: toolName };
  if (typeof merge === 'string') return { kind: 'builtin', merger: builtin(merge, 'fanout.merge') };
  if (typeof merge !== 'object' || merge === null)
    throw new TypeError('fanout.merge must be a merger name, { fields }, { reducer }, { tool } or a function');
  if ('fields' in merge) {
    const fields: Record<string, FanoutMerger> = {};
    for (const [key, value] of Object.entries(merge.fields as Record<string, unknown>))
      fields[key] = builtin(value, `fanout.merge.fields.${key}`);
    return {
      kind: 'fields',
      fields,
      ...(merge.default === undefined ? {} : { default: builtin(merge.default, 'fanout.merge.default') }),
    };
  }
  if ('reducer' in merge && typeof merge.reducer === 'string' && merge.reducer !== '')
    return { kind: 'reducer', name: merge.reducer };
  if ('tool' in merge && typeof merge.tool === 'string' && merge.tool !== '') return { kind: 'tool', tool: merge.tool };
  throw new TypeError('fanout.merge must be a merger name, { fields }, { reducer }, { tool } or a function');
}

/** Checks a `fanout` option and turns it into the advertised FanoutSpec plus the functions the node runs. Throws TypeError. */
export function compileFanout(toolName: string, option: FanoutOption<unknown, unknown>): CompiledFanout {
  if (typeof option !== 'object' || option === null) throw new TypeError('fanout must be an object');
  const split = option.split as
    { argument?: unknown; chunkSize?: unknown; chunkSizeArgument?: unknown; plan?: unknown } | undefined;
  if (typeof split !== 'object' || split === null)
    throw new TypeError('fanout.split must be { argument, chunkSize } or { plan }');
  positive(option.maxAttemptsPerChunk, 'maxAttemptsPerChunk', 10);
  positive(option.maxParallel, 'maxParallel');
  if (option.onChunkFailure !== undefined && option.onChunkFailure !== 'fail' && option.onChunkFailure !== 'partial') {
    throw new TypeError(
      `fanout.onChunkFailure must be 'fail' or 'partial', got ${JSON.stringify(option.onChunkFailure)}`,
    );
  }
  let plan: PlanFunction<unknown> | undefined;
  let splitSpec: FanoutSpec['split'];
  if (typeof split.plan === 'function') {
    plan = split.plan as PlanFunction<unknown>;
    splitSpec = { kind: 'plan' };
  } else {
    if (typeof split.argument !== 'string' || split.argument === '')
      throw new TypeError('fanout.split.argument must name an array argument');
    positive(split.chunkSize as number, 'split.chunkSize');
    if (split.chunkSize === undefined) throw new TypeError('fanout.split.chunkSize is required with split.argument');
    if (
      split.chunkSizeArgument !== undefined &&
      (typeof split.chunkSizeArgument !== 'string' || split.chunkSizeArgument === '')
    ) {
      throw new TypeError('fanout.split.chunkSizeArgument must name a number argument');
    }
    splitSpec = {
      kind: 'array',
      argument: split.argument,
      chunkSize: split.chunkSize as number,
      ...(split.chunkSizeArgument === undefined ? {} : { chunkSizeArgument: split.chunkSizeArgument as string }),
    };
  }
  const descriptor: FanoutSpec = {
    split: splitSpec,
    merge: compileMerge(toolName, option.merge),
    ...(option.maxAttemptsPerChunk === undefined ? {} : { maxAttemptsPerChunk: option.maxAttemptsPerChunk }),
    ...(option.maxParallel === undefined ? {} : { maxParallel: option.maxParallel }),
    ...(option.onChunkFailure === undefined ? {} : { onChunkFailure: option.onChunkFailure }),
  };
  return {
    descriptor,
    plan,
    merge: typeof option.merge === 'function' ? (option.merge as MergeFunction<unknown, unknown>) : undefined,
  };
}
