import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));

export interface AppProcess extends AsyncDisposable {
  readonly child: ChildProcess;
  /** Every log line seen so far (stdout and stderr). */
  readonly lines: string[];
  /** Resolves with the first log line (parsed JSON) whose `msg` equals `message`. */
  waitForLog(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

const TEST_STATE_FILE = join(tmpdir(), `easyremote-test-state-${process.pid}`, 'dev.json');

/** The built process entries of apps/gateway and apps/toolbox (`easyremote-gateway`, `easyremote-toolbox`). */
export const GATEWAY_APP = fileURLToPath(new URL('../../apps/gateway/bin/easyremote-gateway.js', import.meta.url));
export const TOOLBOX_APP = fileURLToPath(new URL('../../apps/toolbox/bin/easyremote-toolbox.js', import.meta.url));

/** Runs the built CLI (`easyremote <args>`) as a real process with the given environment. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): AppProcess {
  return runProgram(CLI, args, env);
}

/** Runs a built program (a script path) as a real process with the given environment. */
export function runProgram(script: string, args: string[], env: Record<string, string | undefined> = {}): AppProcess {
  const childEnv: Record<string, string> = {};
  // Never the user's own `easyremote dev` state file: a test's commands find only the meshes it names.
  for (const [key, value] of Object.entries({
    ...process.env,
    LOG_LEVEL: 'info',
    EASYREMOTE_STATE_FILE: TEST_STATE_FILE,
    ...env,
  })) {
    if (value !== undefined) childEnv[key] = value;
  }
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ message: string; resolve: (value: Record<string, unknown>) => void }> = [];
  const onLine = (line: string) => {
    lines.push(line);
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const waiter of [...waiters]) {
      if (parsed.msg === waiter.message) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = once(child, 'exit');

  const handle: AppProcess = {
    child,
    lines,
    waitForLog(message, timeoutMs = 20_000) {
      const seen = lines.map((line) => safeParse(line)).find((entry) => entry?.msg === message);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no "${message}" log within ${timeoutMs} ms; output:\n${lines.slice(-20).join('\n')}`)),
          timeoutMs,
        );
        const done = (value: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(value);
        };
        waiters.push({ message, resolve: done });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`process exited before logging "${message}"; output:\n${lines.slice(-20).join('\n')}`));
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return child.exitCode;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async [Symbol.asyncDispose]() {
      await handle.kill();
    },
  };
  return handle;
}

function safeParse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface GatewayProcess extends AppProcess {
  readonly url: string;
  readonly mcpUrl: string;
}

/**
 * A gateway process on a free port; resolves once it listens. Authentication is off (allowed on
 * loopback only) unless `env` sets EASYREMOTE_AUTH: most scenarios test something else; the
 * security e2e tests turn it on.
 */
export async function spawnGateway(natsUrl: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const app = runCli(['gateway'], { NATS_URL: natsUrl, PORT: '0', EASYREMOTE_AUTH: 'off', ...env });
  const listening = await app.waitForLog('gateway listening');
  const mcpUrl = String(listening.url);
  return Object.assign(app, { mcpUrl, url: mcpUrl.replace(/\/mcp$/, '') });
}

/** A compute node process serving the given tools modules; resolves once it serves. */
export async function spawnNode(
  natsUrl: string,
  modules: string[],
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const app = runCli(['node', ...modules], { NATS_URL: natsUrl, ...env });
  await app.waitForLog('node serving');
  return app;
}
