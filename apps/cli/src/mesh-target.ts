import { connectMesh, DEFAULT_NATS_URL, MeshError, MeshErrorCode, meshOptionsFromEnv } from '@easyremote/mesh';
import { type DevState, devStatePath, readDevState } from './dev-state.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The NATS server(s) a command talks to, and why those. */
export interface MeshTarget {
  servers: string;
  /** Where the address came from, as the first stderr line says. */
  source: string;
  /** The running `easyremote dev`, when its state file named the servers. */
  dev?: DevState;
}

/**
 * Which mesh a command talks to: `--nats`, else NATS_URL, else the running `easyremote dev` (its state
 * file). With none of them a command that creates streams or buckets refuses (`MESH_ERR_NO_MESH`):
 * a server that merely listens on the default port may be someone else's. A long-running node may
 * fall back to the default port (`allowDefault`), and says so.
 */
export function resolveMesh(env: Env, flag: string | undefined, options: { allowDefault?: boolean } = {}): MeshTarget {
  if (flag !== undefined) return { servers: flag, source: '--nats' };
  if (env.NATS_URL) return { servers: env.NATS_URL, source: 'NATS_URL' };
  const path = devStatePath(env);
  const dev = readDevState(path);
  if (dev !== undefined)
    return { servers: dev.natsUrl, source: `the running easyremote dev (pid ${dev.pid}, ${path})`, dev };
  if (options.allowDefault)
    return { servers: DEFAULT_NATS_URL, source: 'the default: NATS_URL is not set and no easyremote dev is running' };
  throw new MeshError(
    MeshErrorCode.NoMesh,
    `no mesh to talk to: NATS_URL is not set and no easyremote dev is running (no state file at ${path}). Start one with \`npm start\` (easyremote dev), or set NATS_URL to your mesh's server; a server merely listening on ${DEFAULT_NATS_URL} is not used unless you name it`,
  );
}

/** The first line a command writes to stderr: which server it talks to, and why. */
export function announceMesh(
  command: string,
  target: MeshTarget,
  write: (line: string) => void = (line) => void process.stderr.write(line),
): void {
  write(`easyremote ${command}: NATS ${target.servers} (from ${target.source})\n`);
}

/**
 * The connection of a one-shot command (keys, audit, data, grants). The server: `--nats`, NATS_URL, or
 * the running `easyremote dev` — never a server merely found on the default port (these commands
 * create streams and buckets); the first stderr line says which. The credentials: the same
 * NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY and NATS_INBOX_PREFIX
 * settings the gateway reads, so it reaches a TLS + user mesh exactly as the gateway does. Three
 * attempts: a command should fail fast, not wait for a server that is not there.
 */
export function connectCommand(
  command: string,
  options: { servers?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): ReturnType<typeof connectMesh> {
  const env = options.env ?? process.env;
  const target = resolveMesh(env, options.servers);
  announceMesh(command, target);
  return connectMesh(
    meshOptionsFromEnv(env, { name: `easyremote-${command}`, maxStartupAttempts: 3, servers: target.servers }),
  );
}
