import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { OutputBuffer } from './output-buffer.js';

export interface RunProcessOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Written to file descriptor 3 (bwrap's --ro-bind-data 3), then closed. */
  readonly fd3?: string;
  readonly wallTimeMs: number;
  readonly maxOutputBytes: number;
  readonly signal: AbortSignal;
}

/** Why the process ended. */
export const Termination = {
  Exited: 'exited',
  Signal: 'signal',
  WallTime: 'wall_time',
  OutputLimit: 'output_limit',
  Cancelled: 'cancelled',
} as const;
export type Termination = (typeof Termination)[keyof typeof Termination];

export interface ProcessOutcome {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; 128 + signal number when a signal ended it (shell convention). */
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | undefined;
  readonly termination: Termination;
  readonly durationMs: number;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
  SIGXCPU: 24,
  SIGXFSZ: 25,
};

/**
 * Runs one process to the end and never leaves it behind: it gets its own process group, which is
 * SIGKILLed at the wall-time limit, when its output passes the cap, or when `signal` aborts (call
 * cancelled, deadline, node stopping). Rejects only when the process could not be started.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const [command, ...args] = options.argv;
  if (command === undefined) return Promise.reject(new Error('empty argv'));
  const started = performance.now();
  return new Promise<ProcessOutcome>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? '/',
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', options.fd3 === undefined ? 'ignore' : 'pipe'],
      detached: true,
    });
    const stdout = new OutputBuffer(options.maxOutputBytes);
    const stderr = new OutputBuffer(options.maxOutputBytes);
    let termination: Termination | undefined;
    let closed = false;
    // The group, not the child: in unsandboxed runs the program's own children share its pipes.
    const kill = (why: Termination) => {
      if (closed) return;
      termination ??= why;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill(Termination.WallTime), options.wallTimeMs);
    const onAbort = () => kill(Termination.Cancelled);
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    child.stdout!.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) kill(Termination.OutputLimit);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (!stderr.push(chunk)) kill(Termination.OutputLimit);
    });
    if (options.fd3 !== undefined) {
      const fd3 = child.stdio[3] as Writable;
      // bwrap reads fd 3 to its end while it sets up; a failed start closes it early (EPIPE).
      fd3.on('error', () => undefined);
      fd3.end(options.fd3);
    }
    child.once('error', (error) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (code, signal) => {
      closed = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      const exitCode = code ?? 128 + (signal === null ? 0 : (SIGNAL_NUMBERS[signal] ?? 0));
      resolve({
        stdout: stdout.text(),
        stderr: stderr.text(),
        exitCode,
        signal: signal ?? undefined,
        termination: termination ?? (signal === null ? Termination.Exited : Termination.Signal),
        durationMs: performance.now() - started,
      });
    });
  });
}
