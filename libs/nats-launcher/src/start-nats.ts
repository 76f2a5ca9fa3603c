import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findNatsServer, LauncherError, LauncherErrorCode } from './launch-support.js';

export interface StartNatsOptions {
  /**
   * Run the server in its own process group, so a terminal's Ctrl-C reaches only the caller, which
   * then stops its own clients before the server (`easyremote dev`). The server is still killed when
   * the caller's process exits.
   */
  detached?: boolean;
  /** Path of the nats-server binary; found on `path` when omitted. */
  binary?: string;
  /** The PATH to search (callers pass process.env.PATH; libraries read no environment). */
  path?: string;
  /** Enable JetStream with a temporary store directory. Default true. */
  jetstream?: boolean;
  /** JetStream domain of this server (a hub that edge leaf servers reach as `hub`). Generated configs only. */
  jetstreamDomain?: string;
  /** Client port; 0 (default) lets the server pick a free one, reported through a ports file. */
  port?: number;
  /** Extra configuration text appended to the generated config file (cluster, leafnodes, accounts...). */
  config?: string;
  /**
   * Run this committed config file (e.g. `nats/cluster.conf`) instead of a generated one. The launcher
   * still picks the client port (`-p`), the JetStream store (`-sd`, in the temporary directory) and the
   * ports file by command-line flags, which override the file; everything else comes from the file.
   */
  configFile?: string;
  /** Environment of the server process (the `$VARIABLES` a config file references); replaces the inherited one. */
  env?: Readonly<Record<string, string>>;
  /** How long to wait for the server to accept connections. Default 10 s. */
  startTimeoutMs?: number;
  /** Server name (shows in logs and cluster routes). */
  name?: string;
}

export interface NatsServerHandle extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** False once the process exited (after stop() or kill(), or a crash) and until restart() succeeds. */
  readonly running: boolean;
  /** The temporary directory holding the config, ports file and JetStream store. */
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
  /** Kills the server without cleanup of its store (for chaos tests); `restart()` brings it back on the same port. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Starts a real nats-server on 127.0.0.1 with a free port and a temporary JetStream directory.
 * Use as `await using nats = await startNats()`; the server stops when the scope ends.
 */
function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join('\n') || 'no output';
}

export async function startNats(options: StartNatsOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? findNatsServer(options.path);
  const dir = await mkdtemp(join(tmpdir(), 'easyremote-nats-'));
  const jetstream = options.jetstream ?? true;
  let port = options.port ?? 0;

  const writeConfig = async (): Promise<string> => {
    const lines = [
      `server_name: ${JSON.stringify(options.name ?? `er-${process.pid}-${Math.random().toString(36).slice(2, 8)}`)}`,
      'host: 127.0.0.1',
      // -1 asks nats-server for a random free port (0 would mean the default, 4222).
      `port: ${port === 0 ? -1 : port}`,
      `ports_file_dir: ${JSON.stringify(dir)}`,
      // Dead clients are noticed in seconds, not minutes (default ping is 2 min).
      'ping_interval: "2s"',
      'ping_max: 2',
      'max_payload: 1MB',
    ];
    const domain = options.jetstreamDomain === undefined ? '' : `, domain: ${JSON.stringify(options.jetstreamDomain)}`;
    if (jetstream) lines.push(`jetstream { store_dir: ${JSON.stringify(join(dir, 'js'))}${domain} }`);
    if (options.config) lines.push(options.config);
    const file = join(dir, 'nats.conf');
    await writeFile(file, lines.join('\n') + '\n');
    return file;
  };

  // A committed file keeps its own settings; the flags only say where this instance listens and stores.
  const commandLine = async (): Promise<string[]> => {
    if (options.configFile === undefined) return ['-c', await writeConfig()];
    const args = ['-c', options.configFile, '-p', String(port === 0 ? -1 : port), '--ports_file_dir', dir];
    if (jetstream) args.push('-sd', join(dir, 'js'));
    if (options.name !== undefined) args.push('--server_name', options.name);
    return args;
  };

  let child: ChildProcess;
  let stderr = '';
  const launch = async (): Promise<void> => {
    const args = await commandLine();
    stderr = '';
    child = spawn(binary, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(options.detached ? { detached: true } : {}),
      ...(options.env === undefined ? {} : { env: { ...options.env } }),
    });
    if (options.detached) {
      const server = child;
      const killOnExit = () => server.kill('SIGKILL');
      process.once('exit', killOnExit);
      server.once('exit', () => process.removeListener('exit', killOnExit));
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8192);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    const portsFile = join(dir, `nats-server_${child.pid}.ports`);
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!done && Date.now() < deadline) {
      try {
        const ports = JSON.parse(await readFile(portsFile, 'utf8')) as { nats?: string[] };
        const first = ports.nats?.[0];
        if (first) {
          port = Number(new URL(first).port);
          return;
        }
      } catch {
        // not written yet
      }
      await sleep(20);
    }
    child.kill('SIGKILL');
    throw new LauncherError(
      LauncherErrorCode.StartFailed,
      `nats-server ${done ? 'exited during start' : `did not start within ${options.startTimeoutMs ?? 10_000} ms`}: ${lastLines(stderr)}`,
    );
  };

  const waitExit = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  const handle: NatsServerHandle = {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get pid() {
      return child.pid ?? -1;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await waitExit('SIGTERM', 5_000);
      await rm(dir, { recursive: true, force: true });
    },
    async kill(signal = 'SIGKILL') {
      await waitExit(signal, 5_000);
    },
    async restart() {
      await waitExit('SIGTERM', 5_000);
      await launch();
    },
    async [Symbol.asyncDispose]() {
      await handle.stop();
    },
  };
  return handle;
}
