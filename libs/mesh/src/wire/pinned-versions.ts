import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The nats.js version the deviations in this folder were written and contract-tested against. Every
 * `@nats-io/*` package is pinned to it exactly in the package.json files; a different installed
 * version switches the deviations off (enableWireDeviations) until they are checked again.
 */
export const PINNED_NATS_VERSION = '3.4.0';

/** The version of `@nats-io/nats-core` that is actually loaded (its package.json; the package exports no version). */
export function installedNatsCoreVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('@nats-io/nats-core'));
    for (let depth = 0; depth < 4; depth++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (manifest.name === '@nats-io/nats-core') return manifest.version;
      } catch {
        // Not at the package root yet.
      }
      dir = dirname(dir);
    }
  } catch {
    // Not resolvable from here: treated as a different version.
  }
  return undefined;
}
