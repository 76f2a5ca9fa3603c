// Test helpers (not exported by the package): seeded data sets with known structure.

/** A small deterministic PRNG (LCG), so every run generates the same data. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface GeneratedRow {
  id: number;
  x1: number;
  x2: number | null;
  y: number;
  label: string;
}

/** Rows with y = 3 + 2·x1 − 0.5·x2 + noise, some missing x2, awkward labels (commas, quotes, newlines). */
export function generateRows(count: number, seed = 1): GeneratedRow[] {
  const next = seeded(seed);
  const labels = ['plain', 'with, comma', 'say "hi"', 'two\nlines', 'ünïcødé'];
  return Array.from({ length: count }, (_, id) => {
    const x1 = Math.round((next() * 200 - 100) * 1000) / 1000;
    const x2 = next() < 0.1 ? null : next() * 1e6;
    const noise = (next() - 0.5) * 0.01;
    return { id, x1, x2, y: 3 + 2 * x1 - 0.5 * (x2 ?? 0) + noise, label: labels[id % labels.length]! };
  });
}

function csvField(value: unknown): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly GeneratedRow[], lineEnd = '\n'): string {
  const header = 'id,x1,x2,y,label';
  return (
    [header, ...rows.map((row) => [row.id, row.x1, row.x2, row.y, row.label].map(csvField).join(','))].join(lineEnd) +
    lineEnd
  );
}

/** JSON Lines whose keys vary: `x2` is left out when missing, `extra` appears only late. */
export function toJsonl(rows: readonly GeneratedRow[]): string {
  return rows
    .map((row, index) => {
      const { x2, ...rest } = row;
      return JSON.stringify({
        ...rest,
        ...(x2 === null ? {} : { x2 }),
        ...(index > rows.length / 2 ? { extra: index % 3 } : {}),
      });
    })
    .join('\n');
}
