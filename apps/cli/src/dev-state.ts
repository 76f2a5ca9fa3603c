import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** How to reach the local mesh `easyremote dev` runs: written while it runs, removed when it stops. */
export interface DevState {
  pid: number;
  natsUrl: string;
  gatewayUrl: string;
  mcpUrl: string;
  /** The dev key (all scopes); absent when authentication is off. */
  apiKey?: string;
  dataDir: string;
  startedAt: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `EASYREMOTE_STATE_FILE`, else `$XDG_RUNTIME_DIR/easyremote/dev.json` (per user, cleared at logout),
 * else `~/.cache/easyremote/dev.json`.
 */
export function devStatePath(env: Env = process.env): string {
  if (env.EASYREMOTE_STATE_FILE) return env.EASYREMOTE_STATE_FILE;
  const base = env.XDG_RUNTIME_DIR
    ? join(env.XDG_RUNTIME_DIR, 'easyremote')
    : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'easyremote');
  return join(base, 'dev.json');
}

/** Writes the state atomically, readable only by this user (it holds the dev key). */
export function writeDevState(path: string, state: DevState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Removes the state file if it is still this process's (a newer `easyremote dev` may own it now). */
export function removeDevState(path: string, pid = process.pid): void {
  if (readDevState(path, { checkAlive: false })?.pid === pid) rmSync(path, { force: true });
}

/**
 * The state of a running `easyremote dev`, or undefined: no file, an unreadable one, or one left by
 * a process that is gone (killed without its cleanup).
 */
export function readDevState(path: string, options: { checkAlive?: boolean } = {}): DevState | undefined {
  let state: DevState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as DevState;
  } catch {
    return undefined;
  }
  if (typeof state !== 'object' || state === null || typeof state.natsUrl !== 'string' || typeof state.pid !== 'number')
    return undefined;
  if (options.checkAlive !== false && !isAlive(state.pid)) return undefined;
  return state;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
