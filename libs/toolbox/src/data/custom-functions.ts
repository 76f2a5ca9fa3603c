import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { ratioToNumber, SCALE } from './exact/exact-number.js';
import { ExactSum, type ExactSumJson } from './exact/exact-sum.js';
import type { Table } from './table.js';

/**
 * A named chunk function for `processing_type: "custom"`: `map` summarises one chunk as JSON,
 * `merge` combines two summaries (the earlier chunk first; it must be associative, so any grouping
 * of chunks gives the same answer), `finish` turns the merged summary into the result. Nodes serve
 * the functions they were given; a chunk that lands on a node without the function fails with
 * TOOLBOX_ERR_UNKNOWN_FUNCTION.
 */
export interface ChunkFunction<S = unknown> {
  readonly name: string;
  readonly description: string;
  map(table: Table, args: Readonly<Record<string, unknown>>): S;
  merge(a: S, b: S): S;
  finish(state: S, args: Readonly<Record<string, unknown>>): unknown;
  /** Rows for `output_format: "csv"`; without it CSV output is refused. */
  rows?(result: unknown): Record<string, unknown>[];
}

/** Declares a chunk function with its state type checked (the registry holds them untyped). */
export function defineChunkFunction<S>(fn: ChunkFunction<S>): ChunkFunction {
  return fn as unknown as ChunkFunction;
}

function stringArg(args: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new ToolError(ToolboxErrorCode.InvalidColumn, `function_args.${key} must be a string`);
  return value;
}

/** Rows per chunk: the smallest useful example, and a check that no chunk was lost or repeated. */
export const rowCount = defineChunkFunction<{ rows: number }>({
  name: 'row_count',
  description: 'Number of data rows.',
  map: (table) => ({ rows: table.rows.length }),
  merge: (a, b) => ({ rows: a.rows + b.rows }),
  finish: (state) => state,
  rows: (result) => [result as Record<string, unknown>],
});

type Counts = Record<string, Record<string, number>>;

/** The key a cell is counted under: its JSON, so 1 and "1" stay apart. */
function cellKey(cell: unknown): string {
  return JSON.stringify(cell);
}

/** Distinct values and their counts per column (`function_args.column` for one, `limit` per column). */
export const distinctValues = defineChunkFunction<Counts>({
  name: 'distinct_values',
  description:
    'Distinct non-missing values per column with their counts, most frequent first (function_args: column?, limit? = 100).',
  map: (table, args) => {
    const only = stringArg(args, 'column');
    const counts: Counts = {};
    table.columns.forEach((name, index) => {
      if (only !== undefined && name !== only) return;
      const column: Record<string, number> = (counts[name] = {});
      for (const row of table.rows) {
        const cell = row[index];
        if (cell === null || cell === undefined) continue;
        const key = cellKey(cell);
        column[key] = (column[key] ?? 0) + 1;
      }
    });
    return counts;
  },
  merge: (a, b) => {
    const merged: Counts = { ...a };
    for (const [name, column] of Object.entries(b)) {
      const target: Record<string, number> = (merged[name] = { ...merged[name] });
      for (const [key, count] of Object.entries(column)) target[key] = (target[key] ?? 0) + count;
    }
    return merged;
  },
  finish: (state, args) => {
    const limit = typeof args.limit === 'number' && Number.isInteger(args.limit) && args.limit > 0 ? args.limit : 100;
    return Object.fromEntries(
      Object.entries(state).map(([name, column]) => {
        // Ties ordered by key, so the list does not depend on which chunk saw a value first.
        const entries = Object.entries(column).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
        return [
          name,
          {
            distinct: entries.length,
            values: entries.slice(0, limit).map(([key, count]) => ({ value: JSON.parse(key) as unknown, count })),
          },
        ];
      }),
    );
  },
  rows: (result) =>
    Object.entries(result as Record<string, { values: { value: unknown; count: number }[] }>).flatMap(
      ([column, { values }]) =>
        values.map(({ value, count }) => ({
          column,
          value: typeof value === 'string' ? value : JSON.stringify(value),
          count,
        })),
    ),
});

/** Exact sums of the numeric cells per column (the sum of doubles as if computed without rounding). */
export const columnSums = defineChunkFunction<Record<string, ExactSumJson>>({
  name: 'column_sums',
  description: 'Exact sum of the numbers in each column.',
  map: (table) => {
    const sums: Record<string, ExactSumJson> = {};
    table.columns.forEach((name, index) => {
      const sum = new ExactSum();
      for (const row of table.rows) if (typeof row[index] === 'number') sum.add(row[index]);
      sums[name] = sum.toJSON();
    });
    return sums;
  },
  merge: (a, b) => {
    const merged = { ...a };
    for (const [name, json] of Object.entries(b)) {
      const sum = ExactSum.fromJSON(merged[name] ?? { p: [], b: '0' });
      sum.merge(ExactSum.fromJSON(json));
      merged[name] = sum.toJSON();
    }
    return merged;
  },
  finish: (state) =>
    Object.fromEntries(
      Object.entries(state).map(([name, json]) => [
        name,
        ratioToNumber(ExactSum.fromJSON(json).scaled(), 1n << BigInt(SCALE)),
      ]),
    ),
  rows: (result) => Object.entries(result as Record<string, number>).map(([column, sum]) => ({ column, sum })),
});

export const BUILTIN_CHUNK_FUNCTIONS: readonly ChunkFunction[] = [rowCount, distinctValues, columnSums];

/** The chunk functions a node serves, by name. */
export class ChunkFunctionRegistry {
  readonly #functions = new Map<string, ChunkFunction>();

  constructor(functions: readonly ChunkFunction[]) {
    for (const fn of functions) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(fn.name))
        throw new TypeError(`invalid chunk function name ${JSON.stringify(fn.name)}`);
      if (this.#functions.has(fn.name)) throw new TypeError(`duplicate chunk function ${JSON.stringify(fn.name)}`);
      this.#functions.set(fn.name, fn);
    }
  }

  names(): string[] {
    return [...this.#functions.keys()];
  }

  get(name: string | undefined): ChunkFunction {
    const fn = name === undefined ? undefined : this.#functions.get(name);
    if (fn === undefined) {
      throw new ToolError(
        ToolboxErrorCode.UnknownFunction,
        `${name === undefined ? 'custom processing needs `function`' : `no chunk function ${JSON.stringify(name)} on this node`}; available: ${this.names().join(', ')}`,
      );
    }
    return fn;
  }
}
