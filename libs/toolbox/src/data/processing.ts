import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { finishStatistical, mergeStatistical, statisticalPartial, type StatisticalPartial } from './column-stats.js';
import type { ChunkFunctionRegistry } from './custom-functions.js';
import type { ModelColumns } from './model-columns.js';
import { finishRegression, mergeRegression, regressionPartial, type RegressionPartial } from './regression.js';
import type { Table } from './table.js';

export const PROCESSING_TYPES = ['statistical', 'ml', 'custom'] as const;
export type ProcessingType = (typeof PROCESSING_TYPES)[number];

/** The call arguments processing reads (besides where the data comes from). */
export interface ProcessingArgs {
  readonly processing_type: ProcessingType;
  readonly columns?: readonly string[] | undefined;
  readonly function?: string | undefined;
  readonly function_args?: Readonly<Record<string, unknown>> | undefined;
}

export interface CustomPartial {
  readonly type: 'custom';
  readonly function: string;
  readonly state: unknown;
}

/** One chunk's mergeable result; travels as the chunk's `processed_data`. */
export type ChunkPartial = StatisticalPartial | RegressionPartial | CustomPartial;

export interface Finished {
  readonly result: unknown;
  /** The result as table rows, for CSV output. */
  readonly rows: () => Record<string, unknown>[];
}

/** Processes one chunk's table. `model` is the regression's columns, fixed by the plan. */
export function mapChunk(
  table: Table,
  args: ProcessingArgs,
  model: ModelColumns | undefined,
  registry: ChunkFunctionRegistry,
): ChunkPartial {
  switch (args.processing_type) {
    case 'statistical':
      return statisticalPartial(table, args.columns);
    case 'ml':
      if (model === undefined)
        throw new ToolError(ToolboxErrorCode.InvalidChunk, 'an ml chunk needs the model columns from its plan');
      return regressionPartial(table, model.target, model.features);
    case 'custom': {
      const fn = registry.get(args.function);
      return { type: 'custom', function: fn.name, state: fn.map(table, args.function_args ?? {}) };
    }
  }
}

/** Merges a later chunk's partial into an earlier one. */
export function mergePartials(a: ChunkPartial, b: ChunkPartial, registry: ChunkFunctionRegistry): ChunkPartial {
  if (a.type === 'statistical' && b.type === 'statistical') return mergeStatistical(a, b);
  if (a.type === 'ml' && b.type === 'ml') return mergeRegression(a, b);
  if (a.type === 'custom' && b.type === 'custom' && a.function === b.function) {
    return { type: 'custom', function: a.function, state: registry.get(a.function).merge(a.state, b.state) };
  }
  throw new ToolError(ToolboxErrorCode.InvalidChunk, `cannot merge a ${a.type} partial with a ${b.type} partial`);
}

export function finishPartial(partial: ChunkPartial, args: ProcessingArgs, registry: ChunkFunctionRegistry): Finished {
  switch (partial.type) {
    case 'statistical': {
      const found = new Set(partial.columns.map((column) => column.name));
      const missing = args.columns?.filter((name) => !found.has(name)) ?? [];
      if (missing.length > 0)
        throw new ToolError(
          ToolboxErrorCode.InvalidColumn,
          `no column ${missing.map((name) => JSON.stringify(name)).join(', ')} in the data set`,
        );
      const result = finishStatistical(partial);
      return {
        result,
        rows: () =>
          result.columns.map(({ quantiles, ...column }) => ({
            ...column,
            ...Object.fromEntries(Object.entries(quantiles ?? {}).map(([key, value]) => [key, value])),
          })),
      };
    }
    case 'ml': {
      const result = finishRegression(partial);
      return {
        result,
        rows: () => [
          { term: 'intercept', coefficient: result.intercept },
          ...result.features.map((name) => ({ term: name, coefficient: result.coefficients[name] })),
        ],
      };
    }
    case 'custom': {
      const fn = registry.get(partial.function);
      const result = fn.finish(partial.state, args.function_args ?? {});
      return {
        result,
        rows: () => {
          if (fn.rows === undefined)
            throw new ToolError(
              ToolboxErrorCode.InvalidColumn,
              `chunk function ${fn.name} has no CSV form: use output_format "json"`,
            );
          return fn.rows(result);
        },
      };
    }
  }
}

/** Checks a partial that arrived over the wire (a chunk's `processed_data`). */
export function asChunkPartial(value: unknown): ChunkPartial {
  const partial = value as { type?: unknown } | null;
  const ok =
    typeof partial === 'object' &&
    partial !== null &&
    ((partial.type === 'statistical' && Array.isArray((partial as StatisticalPartial).columns)) ||
      (partial.type === 'ml' && Array.isArray((partial as RegressionPartial).xtx)) ||
      (partial.type === 'custom' && typeof (partial as CustomPartial).function === 'string'));
  if (!ok)
    throw new ToolError(ToolboxErrorCode.InvalidChunk, 'a chunk result is not a parallel_data_processing partial');
  return partial as ChunkPartial;
}
