/** Table rendering and the JSON results file. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, REPO_ROOT } from './child.ts';

export function resultsDir(): string {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface Environment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  natsServer: string;
  commit: string;
  /** Files under apps/ or libs/ that differ from the commit (the measured code is not exactly it). */
  dirty: string[];
}

function quiet(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function environment(): Environment {
  const status = quiet('git', ['status', '--porcelain', '--', 'apps', 'libs']);
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    natsServer: quiet('nats-server', ['--version']),
    commit: quiet('git', ['rev-parse', '--short', 'HEAD']),
    dirty: status === 'unknown' || status === '' ? [] : status.split('\n').map((line) => line.trim()),
  };
}

export function writeResults(results: unknown): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(resultsDir(), `bench-${stamp}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(resultsDir(), 'latest.json'), text);
  return file;
}

export type Cell = string | number | undefined;

/** Formats a number for the table: NaN/undefined as "-", else fixed decimals. */
export function num(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

export function times(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(2)}x`;
}

/** A met/missed mark for a ratio against a target (higher is better unless `atMost`). */
export function verdict(value: number | undefined, target: number, atMost = false): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return (atMost ? value <= target : value >= target) ? 'MET' : 'MISSED';
}

/** A fixed-width text table; the first column is left-aligned, the rest right-aligned. */
export function table(header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))))];
  const widths = header.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(cells[0] as string[]), rule, ...cells.slice(1).map(line)].join('\n');
}

export function mib(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '-' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** One target of an issue, as the summary prints it: what was measured, the goal, the verdict. */
export interface TargetCheck {
  target: string;
  measured: string;
  goal: string;
  value: number;
  verdict: string;
}
