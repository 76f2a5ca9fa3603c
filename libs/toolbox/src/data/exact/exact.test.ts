import { describe, expect, it } from 'vitest';
import { ratioToNumber, SCALE, scaledBigInt } from './exact-number.js';
import { ExactSum } from './exact-sum.js';
import { Fraction } from './fraction.js';
import { solveExact } from './solve-exact.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('exact arithmetic', () => {
  it('converts doubles to scaled integers exactly, subnormals and huge values included', () => {
    expect(scaledBigInt(1, 0)).toBe(1n);
    expect(scaledBigInt(-0.5, 1)).toBe(-1n);
    expect(scaledBigInt(Number.MIN_VALUE, 1074)).toBe(1n);
    expect(scaledBigInt(2 ** 1000, 0)).toBe(2n ** 1000n);
    expect(scaledBigInt(0.1, 1074)).toBe(BigInt(0.1 * 2 ** 55) * 2n ** (1074n - 55n) + 0n);
  });

  it('rounds ratios correctly to the nearest double', () => {
    expect(ratioToNumber(1n, 3n)).toBe(1 / 3);
    expect(ratioToNumber(-2n, 3n)).toBe(-2 / 3);
    expect(ratioToNumber(10n ** 400n, 10n ** 399n)).toBe(10);
    expect(ratioToNumber(1n, 10n)).toBe(0.1);
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: ties go to even.
    expect(ratioToNumber(2n ** 53n + 1n, 1n)).toBe(2 ** 53);
    expect(ratioToNumber(2n ** 53n + 3n, 1n)).toBe(2 ** 53 + 4);
    // Just above the tie must round up (the sticky bit).
    expect(ratioToNumber((2n ** 53n + 1n) * 10n ** 30n + 1n, 10n ** 30n)).toBe(2 ** 53 + 2);
  });

  it('sums exactly, whatever the order or the chunking', () => {
    const next = random(7);
    const values = Array.from({ length: 5000 }, (_, index) => (next() - 0.5) * 10 ** ((index % 40) - 20));
    values.push(1e300, -1e300, 2 ** 970, -(2 ** 970), 1e-310, 3);
    const whole = new ExactSum();
    for (const value of values) whole.add(value);
    const reversed = new ExactSum();
    for (const value of [...values].reverse()) reversed.add(value);
    const chunked = new ExactSum();
    for (let start = 0; start < values.length; start += 333) {
      const part = new ExactSum();
      for (const value of values.slice(start, start + 333)) part.add(value);
      chunked.merge(ExactSum.fromJSON(JSON.parse(JSON.stringify(part)) as never));
    }
    const exact = values.reduce((total, value) => total + scaledBigInt(value, SCALE), 0n);
    expect(whole.scaled()).toBe(exact);
    expect(reversed.scaled()).toBe(exact);
    expect(chunked.scaled()).toBe(exact);
  });

  it('sums products exactly', () => {
    const next = random(11);
    const pairs = Array.from({ length: 2000 }, () => [(next() - 0.5) * 1e6, (next() - 0.5) * 1e-3] as const);
    pairs.push([1e200, 1e200], [1e-200, 1e-200], [0.1, 0.2]);
    const sum = new ExactSum();
    for (const [x, y] of pairs) sum.addProduct(x, y);
    const exact = pairs.reduce((total, [x, y]) => total + scaledBigInt(x, SCALE / 2) * scaledBigInt(y, SCALE / 2), 0n);
    expect(sum.scaled()).toBe(exact);
  });

  it('solves integer systems exactly and reports singular ones', () => {
    const solution = solveExact(
      [
        [2n, 1n, 1n],
        [1n, 3n, 2n],
        [1n, 0n, 0n],
      ],
      [4n, 5n, 6n],
    );
    expect(solution?.map((value) => value.toNumber())).toEqual([6, 15, -23]);
    expect(
      solveExact(
        [
          [0n, 1n],
          [1n, 0n],
        ],
        [2n, 3n],
      )?.map((value) => value.toNumber()),
    ).toEqual([3, 2]);
    expect(
      solveExact(
        [
          [1n, 2n],
          [2n, 4n],
        ],
        [1n, 2n],
      ),
    ).toBeUndefined();
    expect(new Fraction(6n, -4n)).toMatchObject({ numerator: -3n, denominator: 2n });
  });
});
