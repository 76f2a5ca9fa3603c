import { EasyRemoteError } from '@easyremote/protocol';
import { accessSync, constants } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { delimiter, join } from 'node:path';

export const LauncherErrorCode = {
  BinaryNotFound: 'LAUNCH_ERR_BINARY_NOT_FOUND',
  StartFailed: 'LAUNCH_ERR_START_FAILED',
} as const;

export class LauncherError extends EasyRemoteError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'LauncherError';
  }
}

const INSTALL_HINT =
  'nats-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y nats-server`; ' +
  'macOS: `brew install nats-server`; others: https://docs.nats.io/running-a-nats-service/introduction/installation) ' +
  'or pass `binary` / set the path explicitly.';

/** Finds `nats-server` on the given PATH; throws an error that says how to install it. */
export function findNatsServer(
  pathVariable: string | undefined,
  extraDirs: readonly string[] = ['/usr/sbin', '/usr/local/sbin'],
): string {
  const dirs = [...(pathVariable ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new LauncherError(LauncherErrorCode.BinaryNotFound, INSTALL_HINT);
}

/**
 * Reserves `count` distinct free TCP ports on 127.0.0.1 and releases them. Cluster routes and leafnode
 * listeners must be known before any server starts (members name each other), so they cannot use the
 * `port: -1` + ports-file trick the client port uses. Another process could take a port in between;
 * on a test machine that is rare enough, and the start then fails loudly.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address for a probe socket');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
