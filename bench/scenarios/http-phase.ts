/**
 * The HTTP phases. Every system runs at once (idle ones cost next to nothing) and the contenders
 * take turns in interleaved rounds (A B C ... A B C ...), so drift on a shared machine hits all of
 * them alike and every ratio compares numbers taken side by side. Each run notes whether a server
 * died under it, the CPU each process spent per request, and the watched process's peak RSS.
 */
import { cpus } from 'node:os';
import { descendants, machineBusyMs, readCpuMs, type Child } from '../lib/child.ts';
import { loadHttp, type HttpTarget, type LoadResult } from '../lib/http-load.ts';
import { Samples } from '../lib/stats.ts';

export interface HttpRow {
  id: string;
  label: string;
  result?: LoadResult;
  /** Peak RSS of the contender's first process during its runs. */
  peakRssBytes?: number;
  /** Peak RSS of every process of the contender during its runs, by process name. */
  peakRssByProcess?: Record<string, number>;
  /**
   * CPU time per served request of every process involved (servers, nats-server, the load
   * generator), in microseconds: on a 2-core machine their sum is what bounds throughput.
   */
  cpuUsPerRequest?: Record<string, number>;
  /**
   * CPU the rest of the machine (processes outside the bench) used during the measured runs, as a
   * share of all cores: anything well above zero means the numbers were disturbed.
   */
  foreignCpuPercent?: number;
  /** NATS messages into / out of the server, and bytes in, per served request (from nats-server's /varz). */
  natsPerRequest?: { msgsIn: number; msgsOut: number; bytesIn: number };
  note?: string;
}

export interface NatsCounters {
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
}

export interface Contender {
  id: string;
  label: string;
  target: HttpTarget;
  /** Processes that must stay alive; the first one's RSS is sampled. */
  children: readonly Child[];
}

function died(children: readonly Child[]): string | undefined {
  const dead = children.find((child) => child.process.exitCode !== null || child.process.signalCode !== null);
  if (!dead) return undefined;
  const last =
    dead.lines
      .filter((line) => /Error|error/.test(line))
      .slice(0, 2)
      .join(' | ') ||
    dead.lines.at(-1) ||
    '';
  return `${dead.name} died during the run (exit ${String(dead.process.exitCode ?? dead.process.signalCode)}): ${last.slice(0, 200)}`;
}

/** CPU ms so far of each process: the contender's children (and theirs), nats-server and this process. */
function cpuSnapshot(children: readonly Child[], natsPid: number | undefined): Record<string, number> {
  const snapshot: Record<string, number> = {};
  for (const child of children) {
    snapshot[child.name] = child.cpuMs();
    // Processes a server starts itself (supergateway's stdio server) count as its own.
    const below = descendants(child.pid);
    if (below.length > 0)
      snapshot[`${child.name} (its children)`] = below.reduce((sum, pid) => sum + readCpuMs(pid), 0);
  }
  if (natsPid !== undefined) snapshot['nats-server'] = readCpuMs(natsPid);
  const self = process.cpuUsage();
  snapshot['load generator'] = (self.user + self.system) / 1000;
  return snapshot;
}

/** Everything one contender accumulates over its rounds. */
class Tally {
  readonly samples = new Samples();
  served = 0;
  requests = 0;
  seconds = 0;
  errors = 0;
  timeouts = 0;
  non2xx = 0;
  mismatches = 0;
  peakRss = 0;
  readonly peakByProcess: Record<string, number> = {};
  readonly cpuMs: Record<string, number> = {};
  machineMs = 0;
  readonly nats = { msgsIn: 0, msgsOut: 0, bytesIn: 0 };
  failure: string | undefined;

  add(result: LoadResult): void {
    this.served += result.requestsPerSec * result.durationSec;
    this.requests += result.requests;
    this.seconds += result.durationSec;
    this.errors += result.errors;
    this.timeouts += result.timeouts;
    this.non2xx += result.non2xx;
    this.mismatches += result.mismatches;
  }

  row(contender: Contender, withCpu: boolean): HttpRow {
    const row: HttpRow = { id: contender.id, label: contender.label };
    const note = this.failure ?? died(contender.children);
    if (this.seconds === 0) return { ...row, note: note ?? 'not run' };
    row.result = {
      requestsPerSec: this.served / this.seconds,
      requests: this.requests,
      durationSec: this.seconds,
      latencyMs: this.samples.summary(),
      errors: this.errors,
      timeouts: this.timeouts,
      non2xx: this.non2xx,
      mismatches: this.mismatches,
    };
    if (this.peakRss > 0) row.peakRssBytes = this.peakRss;
    if (Object.keys(this.peakByProcess).length > 0) row.peakRssByProcess = { ...this.peakByProcess };
    if (withCpu) {
      row.cpuUsPerRequest = Object.fromEntries(
        Object.entries(this.cpuMs).map(([name, ms]) => [name, (ms * 1000) / Math.max(1, this.served)]),
      );
      const ours = Object.values(this.cpuMs).reduce((sum, ms) => sum + ms, 0);
      row.foreignCpuPercent = Math.max(0, (100 * (this.machineMs - ours)) / (this.seconds * 1000 * cpus().length));
      if (this.nats.msgsIn > 0) {
        const served = Math.max(1, this.served);
        row.natsPerRequest = {
          msgsIn: this.nats.msgsIn / served,
          msgsOut: this.nats.msgsOut / served,
          bytesIn: this.nats.bytesIn / served,
        };
      }
    }
    return note ? { ...row, note } : row;
  }
}

export interface RoundsOptions {
  connections: number;
  /** Measured seconds per contender in total, split evenly over the rounds. */
  totalSec: number;
  rounds: number;
  /** Warmup of each contender before its first round. */
  warmupSec: number;
  natsPid?: number;
  /** Reads nats-server's message counters (its monitoring /varz). */
  natsCounters?: () => Promise<NatsCounters | undefined>;
  /** Record CPU per request and peak RSS (throughput runs). */
  measureResources: boolean;
}

/** Interleaved rounds over all contenders; one row per contender. */
export async function interleaved(contenders: readonly Contender[], options: RoundsOptions): Promise<HttpRow[]> {
  const tallies = contenders.map(() => new Tally());
  for (const contender of contenders) {
    if (options.warmupSec > 0 && !died(contender.children)) {
      await loadHttp(contender.target, {
        connections: options.connections,
        durationSec: options.warmupSec,
        warmupSec: 0,
      }).catch(() => undefined);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    // ABBA order: a machine that slowly speeds up or slows down favours no contender.
    const order = [...contenders.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [i, contender] of order) {
      const tally = tallies[i] as Tally;
      if (tally.failure || died(contender.children)) continue;
      const watched = contender.children[0];
      const cpu0 = options.measureResources ? cpuSnapshot(contender.children, options.natsPid) : {};
      const machine0 = machineBusyMs();
      const counters0 = options.measureResources ? await options.natsCounters?.() : undefined;
      const sample = (): void => {
        for (const child of contender.children)
          tally.peakByProcess[child.name] = Math.max(tally.peakByProcess[child.name] ?? 0, child.rss());
        if (watched) tally.peakRss = Math.max(tally.peakRss, watched.rss());
      };
      const sampler = options.measureResources && watched ? setInterval(sample, 200) : undefined;
      try {
        const result = await loadHttp(contender.target, {
          connections: options.connections,
          durationSec: options.totalSec / options.rounds,
          warmupSec: 0,
          samples: tally.samples,
        });
        tally.add(result);
      } catch (error) {
        tally.failure = `run failed: ${(error as Error).message}`;
      } finally {
        clearInterval(sampler);
      }
      if (options.measureResources) {
        sample();
        const cpu1 = cpuSnapshot(contender.children, options.natsPid);
        tally.machineMs += machineBusyMs() - machine0;
        const counters1 = counters0 ? await options.natsCounters?.() : undefined;
        if (counters0 && counters1) {
          tally.nats.msgsIn += counters1.in_msgs - counters0.in_msgs;
          tally.nats.msgsOut += counters1.out_msgs - counters0.out_msgs;
          tally.nats.bytesIn += counters1.in_bytes - counters0.in_bytes;
        }
        for (const [name, ms] of Object.entries(cpu1))
          tally.cpuMs[name] = (tally.cpuMs[name] ?? 0) + ms - (cpu0[name] ?? 0);
      }
    }
  }
  return contenders.map((contender, i) => (tallies[i] as Tally).row(contender, options.measureResources));
}
