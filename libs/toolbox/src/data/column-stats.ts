import { ratioToNumber, SCALE } from './exact/exact-number.js';
import { ExactSum, type ExactSumJson } from './exact/exact-sum.js';
import { mergeSorted, QUANTILES, quantile } from './quantiles.js';
import type { Table } from './table.js';

/** One column's mergeable summary of a chunk. */
export interface ColumnPartial {
  readonly name: string;
  /** Non-missing cells. */
  readonly count: number;
  /** Non-missing cells that are not numbers. */
  readonly texts: number;
  readonly sum: ExactSumJson;
  readonly sumSquares: ExactSumJson;
  /** The numbers, ascending: exact quantiles need them all. */
  readonly values: readonly number[];
}

/** `statistical` processing of one chunk (or of several merged). */
export interface StatisticalPartial {
  readonly type: 'statistical';
  readonly rows: number;
  readonly columns: readonly ColumnPartial[];
}

export interface ColumnSummary {
  readonly column: string;
  /** numeric (all values numbers), text (none), mixed, or empty (all missing). */
  readonly type: 'numeric' | 'text' | 'mixed' | 'empty';
  readonly count: number;
  readonly missing: number;
  readonly numeric_count: number;
  readonly sum: number | null;
  readonly mean: number | null;
  /** Sample variance (n - 1 in the denominator). */
  readonly variance: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly quantiles: Readonly<Record<string, number>> | null;
}

export function statisticalPartial(table: Table, only: readonly string[] | undefined): StatisticalPartial {
  const columns: ColumnPartial[] = [];
  table.columns.forEach((name, index) => {
    if (only !== undefined && !only.includes(name)) return;
    let count = 0;
    let texts = 0;
    const sum = new ExactSum();
    const sumSquares = new ExactSum();
    const values: number[] = [];
    for (const row of table.rows) {
      const cell = row[index] ?? null;
      if (cell === null) continue;
      count += 1;
      if (typeof cell !== 'number') {
        texts += 1;
        continue;
      }
      sum.add(cell);
      sumSquares.addProduct(cell, cell);
      values.push(cell);
    }
    columns.push({
      name,
      count,
      texts,
      sum: sum.toJSON(),
      sumSquares: sumSquares.toJSON(),
      values: values.sort((a, b) => a - b),
    });
  });
  return { type: 'statistical', rows: table.rows.length, columns };
}

function mergeColumn(a: ColumnPartial, b: ColumnPartial): ColumnPartial {
  const sum = ExactSum.fromJSON(a.sum);
  sum.merge(ExactSum.fromJSON(b.sum));
  const sumSquares = ExactSum.fromJSON(a.sumSquares);
  sumSquares.merge(ExactSum.fromJSON(b.sumSquares));
  return {
    name: a.name,
    count: a.count + b.count,
    texts: a.texts + b.texts,
    sum: sum.toJSON(),
    sumSquares: sumSquares.toJSON(),
    values: mergeSorted(a.values, b.values),
  };
}

/** Merges b (the later chunk) into a; columns keep their order of first appearance. */
export function mergeStatistical(a: StatisticalPartial, b: StatisticalPartial): StatisticalPartial {
  const columns = [...a.columns];
  for (const column of b.columns) {
    const index = columns.findIndex((existing) => existing.name === column.name);
    if (index === -1) columns.push(column);
    else columns[index] = mergeColumn(columns[index]!, column);
  }
  return { type: 'statistical', rows: a.rows + b.rows, columns };
}

function summarise(column: ColumnPartial, rows: number): ColumnSummary {
  const n = column.values.length;
  const type = column.count === 0 ? 'empty' : column.texts === 0 ? 'numeric' : n === 0 ? 'text' : 'mixed';
  const base = {
    column: column.name,
    type,
    count: column.count,
    missing: rows - column.count,
    numeric_count: n,
  } as const;
  if (n === 0)
    return { ...base, sum: null, mean: null, variance: null, std: null, min: null, max: null, quantiles: null };
  const s1 = ExactSum.fromJSON(column.sum).scaled();
  const s2 = ExactSum.fromJSON(column.sumSquares).scaled();
  const count = BigInt(n);
  const unit = 1n << BigInt(SCALE);
  // Both sums are exact, so these are the correctly rounded true mean and variance.
  const variance = n < 2 ? null : ratioToNumber(count * s2 * unit - s1 * s1, count * (count - 1n) * unit * unit);
  return {
    ...base,
    sum: ratioToNumber(s1, unit),
    mean: ratioToNumber(s1, count * unit),
    variance,
    std: variance === null ? null : Math.sqrt(variance),
    min: column.values[0]!,
    max: column.values[n - 1]!,
    quantiles: Object.fromEntries(QUANTILES.map(([key, q]) => [key, quantile(column.values, q)])),
  };
}

export function finishStatistical(partial: StatisticalPartial): { rows: number; columns: ColumnSummary[] } {
  return { rows: partial.rows, columns: partial.columns.map((column) => summarise(column, partial.rows)) };
}
