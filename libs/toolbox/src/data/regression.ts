import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { ExactSum, type ExactSumJson } from './exact/exact-sum.js';
import { Fraction } from './exact/fraction.js';
import { solveExact } from './exact/solve-exact.js';
import { columnIndex, type Table } from './table.js';

/** More features than this make the normal equations (and the partials) needlessly large. */
export const MAX_FEATURES = 64;

/**
 * `ml` processing of one chunk: the sufficient statistics of least squares with an intercept —
 * XᵀX (upper triangle, row-major, the intercept first), Xᵀy and yᵀy — as exact sums, so merging
 * chunks is adding them and the solution does not depend on the chunking.
 */
export interface RegressionPartial {
  readonly type: 'ml';
  readonly target: string;
  readonly features: readonly string[];
  /** Rows with a number in the target and in every feature. */
  readonly used: number;
  readonly skipped: number;
  readonly xtx: readonly ExactSumJson[];
  readonly xty: readonly ExactSumJson[];
  readonly yy: ExactSumJson;
}

export interface RegressionModel {
  readonly model: 'linear_regression';
  readonly target: string;
  readonly features: readonly string[];
  readonly coefficients: Readonly<Record<string, number>>;
  readonly intercept: number;
  /** 1 - SSE/SST; null when the target is constant. */
  readonly r_squared: number | null;
  readonly rows_used: number;
  readonly rows_skipped: number;
}

export function regressionPartial(table: Table, target: string, features: readonly string[]): RegressionPartial {
  const index = columnIndex(table);
  const size = features.length + 1;
  const xtx = Array.from({ length: (size * (size + 1)) / 2 }, () => new ExactSum());
  const xty = Array.from({ length: size }, () => new ExactSum());
  const yy = new ExactSum();
  const targetIndex = index.get(target);
  const featureIndexes = features.map((name) => index.get(name));
  let used = 0;
  const z = new Array<number>(size).fill(1);
  for (const row of table.rows) {
    const y = targetIndex === undefined ? undefined : row[targetIndex];
    if (typeof y !== 'number') continue;
    let complete = true;
    for (let feature = 0; feature < features.length; feature += 1) {
      const at = featureIndexes[feature];
      const value = at === undefined ? undefined : row[at];
      if (typeof value !== 'number') {
        complete = false;
        break;
      }
      z[feature + 1] = value;
    }
    if (!complete) continue;
    used += 1;
    let cell = 0;
    for (let i = 0; i < size; i += 1) {
      for (let j = i; j < size; j += 1) xtx[cell++]!.addProduct(z[i]!, z[j]!);
      xty[i]!.addProduct(z[i]!, y);
    }
    yy.addProduct(y, y);
  }
  return {
    type: 'ml',
    target,
    features,
    used,
    skipped: table.rows.length - used,
    xtx: xtx.map((s) => s.toJSON()),
    xty: xty.map((s) => s.toJSON()),
    yy: yy.toJSON(),
  };
}

function addAll(a: readonly ExactSumJson[], b: readonly ExactSumJson[]): ExactSumJson[] {
  return a.map((json, index) => {
    const sum = ExactSum.fromJSON(json);
    sum.merge(ExactSum.fromJSON(b[index]!));
    return sum.toJSON();
  });
}

export function mergeRegression(a: RegressionPartial, b: RegressionPartial): RegressionPartial {
  if (
    a.target !== b.target ||
    a.features.join('\u0000') !== b.features.join('\u0000') ||
    a.xtx.length !== b.xtx.length
  ) {
    throw new ToolError(ToolboxErrorCode.InvalidChunk, 'regression partials of different models cannot be merged');
  }
  const [yy] = addAll([a.yy], [b.yy]);
  return {
    ...a,
    used: a.used + b.used,
    skipped: a.skipped + b.skipped,
    xtx: addAll(a.xtx, b.xtx),
    xty: addAll(a.xty, b.xty),
    yy: yy!,
  };
}

/** Solves the merged normal equations exactly and rounds each coefficient once. */
export function finishRegression(partial: RegressionPartial): RegressionModel {
  const size = partial.features.length + 1;
  const upper = partial.xtx.map((json) => ExactSum.fromJSON(json).scaled());
  const matrix: bigint[][] = Array.from({ length: size }, () => new Array<bigint>(size).fill(0n));
  let cell = 0;
  for (let i = 0; i < size; i += 1) {
    for (let j = i; j < size; j += 1) {
      matrix[i]![j] = upper[cell]!;
      matrix[j]![i] = upper[cell]!;
      cell += 1;
    }
  }
  const rhs = partial.xty.map((json) => ExactSum.fromJSON(json).scaled());
  const beta = partial.used < size ? undefined : solveExact(matrix, rhs);
  if (beta === undefined) {
    throw new ToolError(
      ToolboxErrorCode.SingularMatrix,
      `no unique least-squares fit of ${partial.target} on ${partial.features.join(', ') || 'an intercept'}: ${partial.used} usable rows for ${size} coefficients, or collinear features`,
    );
  }
  // Every sum carries the same 2^SCALE factor, which cancels in R².
  const yy = new Fraction(ExactSum.fromJSON(partial.yy).scaled());
  const n = new Fraction(matrix[0]![0]!);
  const sumY = new Fraction(rhs[0]!);
  const explained = beta.reduce(
    (total, coefficient, index) => total.plus(coefficient.times(new Fraction(rhs[index]!))),
    Fraction.ZERO,
  );
  const sse = yy.minus(explained);
  const sst = yy.minus(sumY.times(sumY).dividedBy(n));
  return {
    model: 'linear_regression',
    target: partial.target,
    features: partial.features,
    intercept: beta[0]!.toNumber(),
    coefficients: Object.fromEntries(partial.features.map((name, index) => [name, beta[index + 1]!.toNumber()])),
    r_squared: sst.isZero() ? null : new Fraction(1n).minus(sse.dividedBy(sst)).toNumber(),
    rows_used: partial.used,
    rows_skipped: partial.skipped,
  };
}
