/** One cell: numbers are finite doubles (never -0), `null` is a missing value. */
export type Cell = number | string | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** Rows of one chunk, with the columns in order of first appearance. */
export interface Table {
  readonly columns: readonly string[];
  /** Each row has one cell per column (missing cells are null). */
  readonly rows: readonly (readonly Cell[])[];
}

// A decimal number as CSV writers and JSON spell it; no hex, no Infinity/NaN, no blank.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A CSV field as a cell: numbers where the whole field is a finite number, '' as missing. */
export function csvCell(field: string): Cell {
  if (field === '') return null;
  const trimmed = field.trim();
  if (NUMBER.test(trimmed)) {
    const value = Number(trimmed);
    if (Number.isFinite(value)) return value === 0 ? 0 : value;
  }
  return field;
}

/** A JSON value as a cell (-0 becomes 0, so a value survives a JSON round trip unchanged). */
export function jsonCell(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return value === 0 ? 0 : value;
  return value as Cell;
}

export function numericValue(cell: Cell): number | undefined {
  return typeof cell === 'number' ? cell : undefined;
}

/** Index of each column, for lookups by name. */
export function columnIndex(table: Table): Map<string, number> {
  return new Map(table.columns.map((name, index) => [name, index]));
}
