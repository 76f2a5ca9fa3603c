/**
 * Fan-out and placement, as ratios measured in one run:
 * - fan-out efficiency: 64 chunks of 50 ms sleep-bound work (`place_fanout_sleep`, one item per chunk)
 *   over 8 node processes, through a gateway, against the ideal wall time
 *   ceil(64 / (8 nodes x slots)) x 50 ms. Headline: one slot per node (maxConcurrency 1, ideal 400 ms;
 *   target <= 1.15); also 8 slots per node (ideal 50 ms), where fixed overhead weighs most.
 * - least-loaded vs round-robin on a heterogeneous mesh: two fast nodes and one 8x slower node, the
 *   same closed-loop workload (6 callers, 120 calls of 30 ms work) under each strategy.
 * Runs on its own nats-server; every process it starts is stopped at the end.
 *
 * Entry point: `runFanoutBench({ quick })` resolves a FanoutBenchResult; `formatFanout(result)` gives
 * printable lines. Standalone: `node bench/scenarios/fanout.ts [--quick]` (after `npm run build`).
 */
import { fileURLToPath } from 'node:url';
import { startNats } from '@easyremote/nats-launcher';
import { CLI, spawnChild, stopAll, type Child } from '../lib/child.ts';
import { median } from '../lib/stats.ts';
import { startGatewayProcess } from './systems.ts';

const FIXTURE = 'test/fixtures/placement-tools.ts';
const CHUNKS = 64;
const CHUNK_MS = 50;
const FAN_NODES = 8;

export interface FanoutRun {
  /** Slots (maxConcurrency) per node. */
  slotsPerNode: number;
  idealMs: number;
  /** Wall time of each measured fan-out call, ms. */
  wallMs: number[];
  medianWallMs: number;
  /** median wall / ideal: 1.0 is perfect. */
  ratio: number;
}

export interface BalanceRun {
  strategy: 'least-loaded' | 'round-robin';
  wallMs: number;
  /** Share of the calls that ran on the slow node. */
  slowShare: number;
}

export interface FanoutBenchResult {
  fanout: FanoutRun[];
  balance: { leastLoaded: BalanceRun; roundRobin: BalanceRun; roundRobinOverLeastLoaded: number };
}

async function startNode(natsUrl: string, id: string, env: Record<string, string>): Promise<Child> {
  const node = spawnChild(`node ${id}`, [CLI, 'node', FIXTURE], {
    env: { NATS_URL: natsUrl, LOG_LEVEL: 'info', EASYREMOTE_NODE_ID: id, EASYREMOTE_NODE_GPUS: 'none', ...env },
  });
  await node.waitFor('node serving', 60_000);
  return node;
}

async function call(base: string, tool: string, query: string, args: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/mcp/tools/${tool}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${tool} failed (${response.status}): ${JSON.stringify(body)}`);
  return body;
}

async function waitForProviders(base: string, tool: string, label: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    // A call pinned to the label pool proves the gateway sees the nodes; the listing counts them.
    const listing = (await (await fetch(`${base}/mcp/tools`)).json()) as {
      tools: Array<{ name: string; providers: string[] }>;
    };
    const providers = listing.tools.find((t) => t.name === tool)?.providers ?? [];
    if (providers.filter((id) => id.startsWith(label)).length >= count) return;
    if (Date.now() > deadline) throw new Error(`the gateway did not list ${count} ${label} nodes within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measureFanout(base: string, pool: string, slotsPerNode: number, runs: number): Promise<FanoutRun> {
  const items = Array.from({ length: CHUNKS }, (_, i) => i);
  const args = { items, ms: CHUNK_MS, chunk: 1 };
  await call(base, 'place_fanout_sleep', `label=pool=${pool}`, args); // warm-up
  const wallMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const body = await call(base, 'place_fanout_sleep', `label=pool=${pool}`, args);
    wallMs.push(performance.now() - started);
    const doubled = (body.result as { doubled?: number[] }).doubled;
    if (doubled?.length !== CHUNKS || doubled.some((value, i) => value !== i * 2))
      throw new Error('the fan-out result is wrong');
  }
  const idealMs = Math.ceil(CHUNKS / (FAN_NODES * slotsPerNode)) * CHUNK_MS;
  const medianWallMs = median(wallMs);
  return {
    slotsPerNode,
    idealMs,
    wallMs: wallMs.map((ms) => Math.round(ms * 10) / 10),
    medianWallMs: Math.round(medianWallMs * 10) / 10,
    ratio: medianWallMs / idealMs,
  };
}

async function measureBalance(base: string, strategy: BalanceRun['strategy'], calls: number): Promise<BalanceRun> {
  const workers = 6;
  let issued = 0;
  let slow = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (issued < calls) {
        issued++;
        const body = await call(base, 'place_work', `label=pool=het&strategy=${strategy}`, { ms: 30 });
        if (body.node === 'het-slow') slow++;
      }
    }),
  );
  return { strategy, wallMs: Math.round(performance.now() - started), slowShare: slow / calls };
}

export async function runFanoutBench(options: { quick?: boolean } = {}): Promise<FanoutBenchResult> {
  const runs = options.quick ? 3 : 7;
  const nats = await startNats({ path: process.env.PATH });
  const children: Child[] = [];
  try {
    const gateway = await startGatewayProcess(nats.url, { config: 'open' });
    children.push(gateway.child);
    const base = gateway.url.replace(/\/mcp$/, '');
    const specs: Array<[string, Record<string, string>]> = [
      ...Array.from({ length: FAN_NODES }, (_, i): [string, Record<string, string>] => [
        `fan1-${i}`,
        { EASYREMOTE_MAX_CONCURRENCY: '1', EASYREMOTE_NODE_LABELS: 'pool=fan1' },
      ]),
      ...Array.from({ length: FAN_NODES }, (_, i): [string, Record<string, string>] => [
        `fan8-${i}`,
        { EASYREMOTE_MAX_CONCURRENCY: '8', EASYREMOTE_NODE_LABELS: 'pool=fan8' },
      ]),
      ['het-fast-1', { EASYREMOTE_NODE_LABELS: 'pool=het' }],
      ['het-fast-2', { EASYREMOTE_NODE_LABELS: 'pool=het' }],
      ['het-slow', { EASYREMOTE_NODE_LABELS: 'pool=het', PLACEMENT_FIXTURE_SLOWDOWN: '8' }],
    ];
    // A few at a time: 19 Node.js processes starting at once starve each other on a small machine.
    for (let i = 0; i < specs.length; i += 4) {
      children.push(...(await Promise.all(specs.slice(i, i + 4).map(([id, env]) => startNode(nats.url, id, env)))));
    }
    await waitForProviders(base, 'place_fanout_sleep', 'fan1-', FAN_NODES);
    await waitForProviders(base, 'place_fanout_sleep', 'fan8-', FAN_NODES);
    await waitForProviders(base, 'place_work', 'het-', 3);
    const fanout = [await measureFanout(base, 'fan1', 1, runs), await measureFanout(base, 'fan8', 8, runs)];
    const calls = options.quick ? 60 : 120;
    const roundRobin = await measureBalance(base, 'round-robin', calls);
    const leastLoaded = await measureBalance(base, 'least-loaded', calls);
    return {
      fanout,
      balance: { leastLoaded, roundRobin, roundRobinOverLeastLoaded: roundRobin.wallMs / leastLoaded.wallMs },
    };
  } finally {
    await stopAll(children);
    await nats.stop();
  }
}

export function formatFanout(result: FanoutBenchResult): string[] {
  const lines = result.fanout.map(
    (run) =>
      `fan-out ${CHUNKS} x ${CHUNK_MS} ms over ${FAN_NODES} nodes x ${run.slotsPerNode} slot(s): median ${run.medianWallMs} ms vs ideal ${run.idealMs} ms = ${run.ratio.toFixed(3)}x` +
      (run.slotsPerNode === 1 ? ` (target <= 1.15: ${run.ratio <= 1.15 ? 'met' : 'MISSED'})` : ''),
  );
  const { leastLoaded, roundRobin, roundRobinOverLeastLoaded } = result.balance;
  lines.push(
    `heterogeneous mesh (2 fast + 1 8x-slow node): round-robin ${roundRobin.wallMs} ms (slow share ${roundRobin.slowShare.toFixed(2)}), ` +
      `least-loaded ${leastLoaded.wallMs} ms (slow share ${leastLoaded.slowShare.toFixed(2)}): round-robin takes ${roundRobinOverLeastLoaded.toFixed(2)}x as long`,
  );
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runFanoutBench({ quick: process.argv.includes('--quick') });
  for (const line of formatFanout(result)) console.log(line);
  console.log(JSON.stringify(result));
}
