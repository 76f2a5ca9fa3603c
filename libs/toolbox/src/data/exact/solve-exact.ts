import { Fraction } from './fraction.js';

/**
 * Solves A x = b exactly over the integers (Bareiss' fraction-free elimination, then back
 * substitution in fractions). Undefined when A is singular. Exact arithmetic means the answer does
 * not depend on pivot order or on rounding, so every node that solves the same system gets the same
 * coefficients.
 */
export function solveExact(matrix: readonly (readonly bigint[])[], rhs: readonly bigint[]): Fraction[] | undefined {
  const size = rhs.length;
  const rows = matrix.map((row, index) => [...row, rhs[index]!]);
  let previousPivot = 1n;
  for (let pivot = 0; pivot < size; pivot += 1) {
    if (rows[pivot]![pivot] === 0n) {
      const swap = rows.findIndex((row, index) => index > pivot && row[pivot] !== 0n);
      if (swap === -1) return undefined;
      [rows[pivot], rows[swap]] = [rows[swap]!, rows[pivot]!];
    }
    const pivotRow = rows[pivot]!;
    const pivotValue = pivotRow[pivot]!;
    for (let row = pivot + 1; row < size; row += 1) {
      const current = rows[row]!;
      const factor = current[pivot]!;
      for (let column = pivot + 1; column <= size; column += 1) {
        // Bareiss: the division is exact by Sylvester's identity.
        current[column] = (current[column]! * pivotValue - factor * pivotRow[column]!) / previousPivot;
      }
      current[pivot] = 0n;
    }
    previousPivot = pivotValue;
  }
  const solution: Fraction[] = new Array<Fraction>(size);
  for (let row = size - 1; row >= 0; row -= 1) {
    const current = rows[row]!;
    let value = new Fraction(current[size]!);
    for (let column = row + 1; column < size; column += 1)
      value = value.minus(new Fraction(current[column]!).times(solution[column]!));
    solution[row] = value.dividedBy(new Fraction(current[row]!));
  }
  return solution;
}
