import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** Measured seconds per throughput run. */
  durationSec: number;
  warmupSec: number;
  /** Seconds of sequential (1 connection) measurement per target, split over interleaved rounds. */
  sequentialSec: number;
  /** Interleaved rounds the measured time of every HTTP contender is split into. */
  rounds: number;
  connections: number;
  /** Phases to run; all when empty. */
  only: Set<string>;
  /** HTTP contenders (row ids) to measure in the throughput phase; all when empty. */
  systems: Set<string>;
  /** Registry scale: simulated nodes and tools per node. */
  nodes: number;
  toolsPerNode: number;
  sessions: number;
}

export const PHASES = [
  'latency',
  'throughput',
  'footprint',
  'audit',
  'direct',
  'sessions',
  'registry',
  'tasks',
] as const;

export const usage = `Usage: npm run bench -- [--quick] [--duration <s>] [--only <phase,...>]

Phases: ${PHASES.join(', ')}
  --quick           3 s runs, 1 s warmup, fewer latency samples (same scale targets)
  --duration <s>    measured seconds per throughput run (default 10)
  --connections <n> concurrent connections / callers (default 64)
  --only <list>     run only these phases (comma-separated)
  --systems <ids>   throughput phase: only these rows (e.g. limit-floor,gateway-2026,gateway-2026-open)
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      systems: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const quick = values.quick === true;
  const only = new Set(
    (values.only ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
  for (const phase of only) {
    if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`unknown phase "${phase}"\n\n${usage}`);
  }
  const durationSec = values.duration !== undefined ? Number(values.duration) : quick ? 3 : 10;
  const connections = values.connections !== undefined ? Number(values.connections) : 64;
  if (!(durationSec > 0 && durationSec <= 120)) throw new Error('--duration must be in (0, 120] seconds');
  if (!(Number.isInteger(connections) && connections >= 1 && connections <= 1024))
    throw new Error('--connections must be an integer in [1, 1024]');
  return {
    quick,
    durationSec,
    warmupSec: quick ? 1 : 2,
    sequentialSec: quick ? 3 : 6,
    rounds: quick ? 2 : 3,
    connections,
    only,
    systems: new Set(
      (values.systems ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
    nodes: 1_000,
    toolsPerNode: 10,
    sessions: 5_000,
  };
}

export function wants(options: BenchOptions, phase: (typeof PHASES)[number]): boolean {
  return options.only.size === 0 || options.only.has(phase);
}
