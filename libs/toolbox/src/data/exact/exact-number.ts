/**
 * Exact conversions between doubles and BigInt fixed point. Every finite double is m * 2^e with an
 * integer m and e >= -1074, so x * 2^SCALE is an integer for any product of two doubles when SCALE
 * = 2 * 1074: all exact sums share this one scale.
 */
export const SCALE = 2148;

const view = new DataView(new ArrayBuffer(8));

/** x * 2^scale as a BigInt; exact when scale >= 1074 - (the exponent of x's lowest bit). */
export function scaledBigInt(x: number, scale: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (x === 0) return 0n;
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  // value = mantissa * 2^(exponent - 1075) for normal numbers, mantissa * 2^-1074 for subnormals.
  let shift = scale - 1074;
  if (biasedExponent !== 0) {
    mantissa |= 1n << 52n;
    shift += biasedExponent - 1;
  }
  const magnitude = shift >= 0 ? mantissa << BigInt(shift) : mantissa >> BigInt(-shift);
  return high >>> 31 === 1 ? -magnitude : magnitude;
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** value * 2^exponent without intermediate overflow or underflow of the power. */
function timesPowerOfTwo(value: number, exponent: number): number {
  let result = value;
  let left = exponent;
  while (left > 1000) {
    result *= 2 ** 1000;
    left -= 1000;
  }
  while (left < -1000) {
    result *= 2 ** -1000;
    left += 1000;
  }
  return result * 2 ** left;
}

/**
 * The double nearest to numerator / denominator (ties to even), computed once from exact integers,
 * so equal rationals always give the same double. (Results in the subnormal range may be off by one
 * unit there; statistics never get that small.)
 */
export function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (numerator === 0n) return 0;
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  // Scale so the quotient has at least 55 bits, then fold the remainder into a sticky low bit: the
  // one rounding to 53 bits that Number() then does is the correct rounding of the exact ratio.
  const shift = 55 - (bitLength(n) - bitLength(d));
  const scaledN = shift >= 0 ? n << BigInt(shift) : n;
  const scaledD = shift >= 0 ? d : d << BigInt(-shift);
  let quotient = scaledN / scaledD;
  if (scaledN % scaledD !== 0n) quotient |= 1n;
  const value = timesPowerOfTwo(Number(quotient), -shift);
  return negative ? -value : value;
}
