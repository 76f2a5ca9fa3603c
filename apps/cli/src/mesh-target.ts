import { DEFAULT_NATS_URL, MeshError, MeshErrorCode } from '@easyremote/mesh';
import { devStatePath, readDevState, type DevState } from './dev-state.js';

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
