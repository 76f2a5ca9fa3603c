/** The quantiles reported per numeric column. */
export const QUANTILES = [
  ['p5', 0.05],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
] as const;

/**
 * The q-quantile of sorted values by linear interpolation between closest ranks (Hyndman & Fan type
 * 7: the default of NumPy, R and Excel's PERCENTILE.INC). Exact input gives the same answer on any
 * node, because the merged values are the very values a single node would sort.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const below = sorted[lower]!;
  const above = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  return below + (position - lower) * (above - below);
}

/** Merges two ascending arrays into one (linear, stable). */
export function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const merged = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) merged[k++] = a[i++]!;
  while (j < b.length) merged[k++] = b[j++]!;
  return merged;
}
