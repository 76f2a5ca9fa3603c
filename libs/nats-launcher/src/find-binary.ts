import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LauncherError, LauncherErrorCode } from './errors.js';

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
