import { SCALE, scaledBigInt } from './exact-number.js';

// Inside these bounds sums never overflow and Dekker's product error term is exact (no underflow).
const FAST_SUM_LIMIT = 2 ** 960;
const FAST_FACTOR_MAX = 2 ** 480;
const FAST_FACTOR_MIN = 2 ** -480;
// 2^27 + 1: Veltkamp's splitter for 53-bit doubles.
const SPLITTER = 134_217_729;

/** The serialised form: the partials and the BigInt remainder as a decimal string. */
export interface ExactSumJson {
  readonly p: readonly number[];
  readonly b: string;
}

function split(a: number): [number, number] {
  const c = SPLITTER * a;
  const high = c - (c - a);
  return [high, a - high];
}

function fastFactor(x: number): boolean {
  const magnitude = Math.abs(x);
  return magnitude === 0 || (magnitude >= FAST_FACTOR_MIN && magnitude <= FAST_FACTOR_MAX);
}

/**
 * An exact running sum of doubles and of products of doubles. Ordinary terms go into Shewchuk's
 * non-overlapping partials (the algorithm behind Python's math.fsum) — exact and nearly as fast as
 * `+=`; products are split exactly into two doubles first (Dekker's TwoProduct). Terms outside the
 * safe exponent range go into a BigInt. Because nothing is ever rounded, the total does not depend
 * on the order of the terms or on how they were split into chunks and merged.
 */
export class ExactSum {
  #partials: number[] = [];
  #big = 0n;

  add(x: number): void {
    if (Math.abs(x) >= FAST_SUM_LIMIT) {
      this.#big += scaledBigInt(x, SCALE);
      return;
    }
    const partials = this.#partials;
    let value = x;
    let kept = 0;
    for (let index = 0; index < partials.length; index += 1) {
      let other = partials[index]!;
      if (Math.abs(value) < Math.abs(other)) [value, other] = [other, value];
      const high = value + other;
      const low = other - (high - value);
      if (low !== 0) partials[kept++] = low;
      value = high;
    }
    partials.length = kept;
    partials.push(value);
  }

  addProduct(x: number, y: number): void {
    if (!fastFactor(x) || !fastFactor(y)) {
      this.#big += scaledBigInt(x, SCALE / 2) * scaledBigInt(y, SCALE / 2);
      return;
    }
    const product = x * y;
    const [xHigh, xLow] = split(x);
    const [yHigh, yLow] = split(y);
    const error = xHigh * yHigh - product + xHigh * yLow + xLow * yHigh + xLow * yLow;
    this.add(product);
    if (error !== 0) this.add(error);
  }

  merge(other: ExactSum): void {
    for (const partial of other.#partials) this.add(partial);
    this.#big += other.#big;
  }

  /** The exact total times 2^SCALE. */
  scaled(): bigint {
    let total = this.#big;
    for (const partial of this.#partials) total += scaledBigInt(partial, SCALE);
    return total;
  }

  toJSON(): ExactSumJson {
    return { p: [...this.#partials], b: this.#big.toString() };
  }

  static fromJSON(json: ExactSumJson): ExactSum {
    const sum = new ExactSum();
    for (const partial of json.p) {
      if (typeof partial !== 'number' || !Number.isFinite(partial))
        throw new TypeError('exact sum partials must be finite numbers');
      sum.add(partial);
    }
    if (typeof json.b !== 'string' || !/^-?\d+$/.test(json.b))
      throw new TypeError('exact sum remainder must be an integer string');
    sum.#big = BigInt(json.b);
    return sum;
  }
}
