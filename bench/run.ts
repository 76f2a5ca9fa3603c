/**
 * `npm run bench`: starts nats-server, the baselines and our path as separate processes, drives
 * load from this process, prints throughput and latency with ratios against the baselines measured
 * in the same run, and writes the numbers to bench/results/. See bench/README.md.
 */
import { startNats } from '@easyremote/nats-launcher';
import { natsMonitor } from './lib/nats-monitor.ts';
import { parseOptions, wants } from './lib/options.ts';
import { environment, writeResults } from './lib/report.ts';
import { printSummary, type BenchResults } from './lib/summary.ts';
import { runDirect } from './scenarios/direct-rpc.ts';
import { runFootprint } from './scenarios/footprint.ts';
import { runTasks } from './scenarios/tasks.ts';
import { interleaved, type Contender } from './scenarios/http-phase.ts';
import { runRegistryScale } from './scenarios/registry-scale.ts';
import { runSessions } from './scenarios/sessions.ts';
import {
  startAuditPair,
  startFloor,
  startOurs,
  startSdk,
  startSdkLongLived,
  startSupergateway,
  type RunningSystem,
} from './scenarios/systems.ts';

const options = parseOptions(process.argv.slice(2));
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
const startedAt = Date.now();

const results: BenchResults = {
  startedAt: new Date(startedAt).toISOString(),
  options: { ...options, only: [...options.only], systems: [...options.systems] },
  environment: environment(),
  sequential: [],
  throughput: [],
};
if (results.environment.dirty.length > 0)
  log(
    `note: apps/ or libs/ differ from ${results.environment.commit} (${results.environment.dirty.length} files); the table measures the working tree as built`,
  );

// The monitoring port gives /varz message counters: NATS messages per served request.
const nats = await startNats({ path: process.env.PATH, config: 'http: "127.0.0.1:-1"' });
const natsCounters = natsMonitor(nats.dir, nats.pid);
log(`nats-server ${nats.url}`);
try {
  const { connections: c, durationSec: d, warmupSec: w } = options;

  if (wants(options, 'latency') || wants(options, 'throughput')) {
    log(
      'starting the floor (node:http + raw NATS responder), our gateway + toolbox node, the SDK server and supergateway',
    );
    const floor = await startFloor(nats.url);
    const ours = await startOurs(nats.url);
    const started: RunningSystem[] = [floor, ours];
    const contenders: Contender[] = [
      {
        id: 'floor',
        label: 'floor: node:http -> 1 NATS request -> raw responder',
        target: floor.targets.call!,
        children: floor.mux,
      },
      {
        id: 'gateway-2025',
        label: 'gateway (default: API key + audit), 2025-11-25 session',
        target: ours.targets.legacy!,
        children: ours.children,
      },
      {
        id: 'gateway-2026',
        label: 'gateway (default: API key + audit), 2026-07-28 stateless',
        target: ours.targets.modern!,
        children: ours.children,
      },
    ];
    // The same gateway with authentication and audit off: what the two cost, by ratio to the default rows.
    const open: Contender[] = [
      {
        id: 'gateway-2026-open',
        label: 'the same gateway, auth and audit off, 2026-07-28',
        target: ours.open.targets.modern!,
        children: ours.open.children,
      },
      {
        id: 'gateway-2025-open',
        label: 'the same gateway, auth and audit off, 2025-11-25 session',
        target: ours.open.targets.legacy!,
        children: ours.open.children,
      },
    ];
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    results.memory = { nodeIdleRssBytes: ours.node.rss(), gatewayIdleRssBytes: ours.gateway.rss() };
    if (wants(options, 'latency')) {
      log(`sequential latency: 1 connection, ${options.sequentialSec} s per target in 3 interleaved rounds`);
      results.sequential = await interleaved([...contenders, ...open], {
        connections: 1,
        totalSec: options.sequentialSec,
        rounds: 3,
        warmupSec: w,
        measureResources: false,
      });
    }
    if (wants(options, 'throughput')) {
      // The anchor: the cheapest hand-written path, publishes coalesced per turn like the gateway's RpcClient.
      contenders.unshift({
        id: 'limit-floor',
        label: 'limit floor: node:http -> shared inbox, publishes coalesced per turn -> raw responder',
        target: floor.targets.batched!,
        children: floor.batched,
      });
      contenders.push(...open, {
        id: 'floor-nc-request',
        label: 'floor with nats.js nc.request() (reference)',
        target: floor.targets.request!,
        children: floor.request,
      });
      const sdk = await startSdk();
      started.push(sdk);
      contenders.push(
        {
          id: 'sdk-2026',
          label: 'SDK in-process, 2026-07-28 (JSON)',
          target: sdk.targets.modern!,
          children: sdk.children,
        },
        {
          id: 'sdk-2025',
          label: 'SDK in-process, 2025 stateless (SSE)',
          target: sdk.targets.legacy!,
          children: sdk.children,
        },
      );
      const sdkLongLived = await startSdkLongLived();
      started.push(sdkLongLived);
      contenders.push({
        id: 'sdk-server-2026',
        label: 'SDK long-lived Server + multiplexing transport, in-process (2026-07-28)',
        target: sdkLongLived.targets.modern!,
        children: sdkLongLived.children,
      });
      const sdkDirect = await startSdkLongLived('direct');
      started.push(sdkDirect);
      contenders.push({
        id: 'sdk-server-direct',
        label: 'the same without the SDK Server: handler called from the route (reference)',
        target: sdkDirect.targets.modern!,
        children: sdkDirect.children,
      });
      try {
        const sg = await startSupergateway();
        started.push(sg);
        contenders.push({
          id: 'supergateway',
          label: 'supergateway -> stdio echo, 2025 session',
          target: sg.targets.legacy!,
          children: sg.children,
        });
      } catch (error) {
        results.throughput.push({
          id: 'supergateway',
          label: 'supergateway -> stdio echo',
          note: `could not run: ${(error as Error).message.slice(0, 300)}`,
        });
      }
      if (options.systems.size > 0) {
        const kept = contenders.filter((contender) => options.systems.has(contender.id));
        contenders.splice(0, contenders.length, ...kept);
      }
      log(
        `throughput: ${contenders.length} systems, ${c} connections, ${d} s each in ${options.rounds} interleaved rounds`,
      );
      results.throughput.unshift(
        ...(await interleaved(contenders, {
          connections: c,
          totalSec: d,
          rounds: options.rounds,
          warmupSec: w,
          natsPid: nats.pid,
          measureResources: true,
          natsCounters,
        })),
      );
      results.memory.nodeAfterLoadRssBytes = ours.node.rss();
      results.memory.gatewayAfterLoadRssBytes = ours.gateway.rss();
    }
    await Promise.all(started.map((system) => system.stop()));
  }

  if (wants(options, 'footprint')) {
    const starts = options.quick ? 3 : 5;
    log(`footprint: ${starts} starts of a node serving a small tools module; 1,000 notification streams on a gateway`);
    results.footprint = await runFootprint(nats.url, { starts, streams: 1_000 });
  }

  if (wants(options, 'audit')) {
    // An even number of rounds, at least 4: the ABBA order then cancels drift between the two.
    const auditRounds = Math.max(4, options.rounds + (options.rounds % 2));
    log(
      `audit on vs off: one node, two gateways, ${c} connections, ${d} s each in ${auditRounds} interleaved rounds (ABBA)`,
    );
    const pair = await startAuditPair(nats.url);
    try {
      results.audit = await interleaved(
        [
          {
            id: 'audit-on',
            label: 'gateway 2026, audit on (record acknowledged before the answer)',
            target: pair.on.targets.modern!,
            children: pair.on.children,
          },
          {
            id: 'audit-off',
            label: 'gateway 2026, audit off',
            target: pair.off.targets.modern!,
            children: pair.off.children,
          },
        ],
        {
          connections: c,
          totalSec: d,
          rounds: auditRounds,
          warmupSec: w,
          natsPid: nats.pid,
          measureResources: true,
          natsCounters,
        },
      );
    } finally {
      await pair.stop();
    }
  }

  if (wants(options, 'direct')) {
    log(`direct NATS path vs Moleculer: ${c} in-process callers, ${d} s each (ABBA)`);
    results.direct = await runDirect(nats.url, c, d, w);
  }

  if (wants(options, 'sessions')) {
    log(`${options.sessions} concurrent 2025-era sessions on one gateway`);
    results.sessions = await runSessions(nats.url, options.sessions, c);
  }

  if (wants(options, 'tasks')) {
    const open = options.quick ? 2_000 : 10_000;
    log(`durable tasks: creation vs a plain call, ${open} open tasks, the creating gateway killed under 100`);
    results.tasks = await runTasks(nats.url, { samples: options.quick ? 200 : 500, open, failover: 100 });
  }

  if (wants(options, 'registry')) {
    log(`registry at scale: ${options.nodes} nodes x ${options.toolsPerNode} tools (own nats-server)`);
    results.registry = await runRegistryScale(options.nodes, options.toolsPerNode, options.quick ? 150 : 300);
  }
} finally {
  await nats.stop();
}

results.elapsedSec = (Date.now() - startedAt) / 1000;
printSummary(results);
const file = writeResults(results);
process.stdout.write(`\nresults: ${file} (and bench/results/latest.json); ${results.elapsedSec.toFixed(0)} s\n`);
