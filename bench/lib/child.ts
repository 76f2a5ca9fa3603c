import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A server under test running as its own process (never in the load generator's event loop). */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Every output line so far (stdout and stderr), for error messages. */
  readonly lines: string[];
  /** The first JSON log line whose `msg` is `message`. */
  waitFor(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resident set size now, in bytes (VmRSS from /proc). */
  rss(): number;
  /** CPU time used so far (user + system), in ms, from /proc/<pid>/stat. */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

/** Kills every child still running; installed once so an aborted bench leaves no processes behind. */
function killAll(): void {
  for (const child of live) child.process.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  /** Extra node flags (e.g. --cpu-prof). Only used when `command` is node. */
  nodeFlags?: string[];
  /** Run this executable instead of node. */
  command?: string;
  /** Pin the process to these CPUs (`taskset -c`, e.g. "1"); profiling uses it to keep a server off the load's cores. */
  cpus?: string;
}

/** Pins a running process (e.g. this one, or nats-server) to `cpus` with taskset. */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Starts `node <script> <args>` (or `command <args>`) with piped output. */
export function spawnChild(name: string, args: string[], options: SpawnOptions = {}): Child {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  let command = options.command ?? process.execPath;
  let argv = options.command ? args : [...(options.nodeFlags ?? []), ...args];
  if (options.cpus !== undefined) {
    argv = ['-c', options.cpus, command, ...argv];
    command = 'taskset';
  }
  const proc = spawn(command, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ message: string; resolve: (value: Record<string, unknown>) => void }> = [];
  const onLine = (line: string): void => {
    if (lines.length < 2_000) lines.push(line);
    if (!line.startsWith('{')) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const waiter of [...waiters]) {
      if (parsed.msg !== waiter.message) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(parsed);
    }
  };
  createInterface({ input: proc.stdout }).on('line', onLine);
  createInterface({ input: proc.stderr }).on('line', onLine);
  const exited = once(proc, 'exit');
  const pid = proc.pid ?? -1;

  const child: Child = {
    name,
    process: proc,
    pid,
    lines,
    waitFor(message, timeoutMs = 20_000) {
      for (const line of lines) {
        if (line.includes(`"msg":"${message}"`)) return Promise.resolve(JSON.parse(line) as Record<string, unknown>);
      }
      return new Promise((resolve, reject) => {
        const fail = (why: string) =>
          reject(
            new Error(`${name}: ${why} before logging "${message}"; last output:\n${lines.slice(-15).join('\n')}`),
          );
        const timer = setTimeout(() => fail(`no log within ${timeoutMs} ms`), timeoutMs);
        waiters.push({
          message,
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          fail('exited');
        });
      });
    },
    rss: () => readRss(pid),
    cpuMs: () => readCpuMs(pid),
    async stop(graceMs = 5_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        live.delete(child);
        return;
      }
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      live.delete(child);
    },
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** VmRSS of a process in bytes (0 when it is gone). */
export function readRss(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in ms (fields 14 and 15 of /proc/<pid>/stat). */
export function readCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU time all processes of the machine have spent so far (user + nice + system, all cores; from
 * /proc/stat), in ms. Interrupt and softirq time (loopback networking) is left out because no
 * process is charged for it either.
 */
export function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system] = line.trim().split(/\s+/).map(Number);
    return (((user ?? 0) + (nice ?? 0) + (system ?? 0)) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Pids of every descendant of `pid` (from /proc/<pid>/task/<tid>/children). */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number): void => {
    let text: string;
    try {
      text = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8');
    } catch {
      return;
    }
    for (const token of text.trim().split(/\s+/).filter(Boolean)) {
      const child = Number(token);
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** Stops children in parallel, ignoring ones already gone. */
export async function stopAll(children: ReadonlyArray<Child | undefined>): Promise<void> {
  await Promise.all(children.map((child) => child?.stop()));
}
