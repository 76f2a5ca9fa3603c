import type { CallResult } from './envelope.js';
import type { FanoutChunk, FanoutMerge, FanoutMerger, FanoutPartial, FanoutSplit } from './fanout.js';

/**
 * The pure half of fan-out, shared by the gateway and the node SDK's in-process `runFanout`: how an
 * `array` split slices arguments and how the built-in mergers combine partial results. Same inputs,
 * same output: merging always walks the partials in chunk order.
 */

export interface ChunkCall {
  readonly arguments: Record<string, unknown>;
  readonly chunk: FanoutChunk;
}

type ArraySplit = Extract<FanoutSplit, { kind: 'array' }>;

/**
 * Slices the array argument into chunk calls. Undefined when the call should run whole: the argument
 * is not an array, or it fits in one chunk.
 */
export function splitArrayArguments(
  args: Readonly<Record<string, unknown>>,
  split: ArraySplit,
): ChunkCall[] | undefined {
  const items = args[split.argument];
  if (!Array.isArray(items)) return undefined;
  const requested = split.chunkSizeArgument === undefined ? undefined : args[split.chunkSizeArgument];
  const size =
    typeof requested === 'number' && Number.isInteger(requested) && requested >= 1 ? requested : split.chunkSize;
  if (items.length <= size) return undefined;
  const count = Math.ceil(items.length / size);
  const calls: ChunkCall[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * size;
    calls.push({
      arguments: { ...args, [split.argument]: items.slice(offset, offset + size) },
      chunk: { index, count, offset },
    });
  }
  return calls;
}

/** One chunk call per plan element; the arguments stay whole. */
export function planChunkCalls(args: Readonly<Record<string, unknown>>, plan: readonly unknown[]): ChunkCall[] {
  return plan.map((data, index) => ({ arguments: { ...args }, chunk: { index, count: plan.length, data } }));
}

export type MergeOutcome = { ok: true; result: CallResult } | { ok: false; message: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

/** Combines the values of one field (undefined values are skipped). Throws TypeError on a type mismatch. */
export function mergeValues(merger: FanoutMerger, values: readonly unknown[], field: string): unknown {
  const present = values.filter((value) => value !== undefined);
  if (present.length === 0) return undefined;
  const expect = (ok: (value: unknown) => boolean, what: string): void => {
    const bad = present.find((value) => !ok(value));
    if (bad !== undefined) throw new TypeError(`${merger} of ${field} needs ${what}, got ${kindOf(bad)}`);
  };
  switch (merger) {
    case 'concat':
      if (present.every((value) => typeof value === 'string')) return present.join('');
      expect(Array.isArray, 'arrays or strings');
      return (present as unknown[][]).flat(1);
    case 'sum':
      expect((value) => typeof value === 'number', 'numbers');
      return (present as number[]).reduce((a, b) => a + b, 0);
    case 'min':
    case 'max':
      expect((value) => typeof value === 'number', 'numbers');
      return merger === 'min' ? Math.min(...(present as number[])) : Math.max(...(present as number[]));
    case 'merge':
      expect(isObject, 'objects');
      return Object.assign({}, ...(present as Record<string, unknown>[]));
    case 'first':
      return present[0];
    case 'last':
      return present[present.length - 1];
  }
}

function mergeStructured(
  merge: Extract<FanoutMerge, { kind: 'builtin' | 'fields' }>,
  partials: readonly FanoutPartial[],
): Record<string, unknown> {
  const fields = merge.kind === 'fields' ? merge.fields : {};
  const fallback: FanoutMerger = merge.kind === 'fields' ? (merge.default ?? 'first') : merge.merger;
  const keys: string[] = [];
  for (const partial of partials)
    for (const key of Object.keys(partial.structuredContent ?? {})) if (!keys.includes(key)) keys.push(key);
  const merged: Record<string, unknown> = {};
  for (const key of keys) {
    const value = mergeValues(
      fields[key] ?? fallback,
      partials.map((partial) => partial.structuredContent?.[key]),
      key,
    );
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Merges partial results with a built-in merge (`builtin` or `fields`). With `structured` (the tool
 * has an output schema) the mergers combine `structuredContent` field by field (a `builtin` name
 * applies to every field) and the content is the merged JSON text followed by the partials' non-text
 * blocks in chunk order; without, `concat` joins content blocks, `first`/`last` pick a partial.
 */
export function mergeBuiltin(
  merge: FanoutMerge,
  partials: readonly FanoutPartial[],
  structured: boolean,
): MergeOutcome {
  if (merge.kind !== 'builtin' && merge.kind !== 'fields')
    return { ok: false, message: `merge ${merge.kind} is not a built-in merge` };
  const ordered = [...partials].sort((a, b) => a.index - b.index);
  try {
    if (structured) {
      const value = mergeStructured(merge, ordered);
      const extra = ordered.flatMap((partial) => partial.content.filter((block) => block.type !== 'text'));
      return {
        ok: true,
        result: { content: [{ type: 'text', text: JSON.stringify(value) }, ...extra], structuredContent: value },
      };
    }
    const merger = merge.kind === 'builtin' ? merge.merger : (merge.default ?? 'concat');
    if (merger === 'concat') return { ok: true, result: { content: ordered.flatMap((partial) => partial.content) } };
    if (merger === 'first' || merger === 'last') {
      const pick = merger === 'first' ? ordered[0] : ordered[ordered.length - 1];
      return { ok: true, result: { content: pick?.content ?? [] } };
    }
    return { ok: false, message: `merger ${merger} needs structured results (a tool with an output schema)` };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}
