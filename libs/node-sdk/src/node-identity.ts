import { randomBytes } from 'node:crypto';
import { arch, availableParallelism, hostname, platform, totalmem } from 'node:os';
import type { GpuInfo, NodeCapabilities } from '@easyremote/protocol';

/** Room for `-` and the random suffix inside the 64-character node id limit. */
const MAX_HOST_PART = 48;

/**
 * `<hostname>-<6 random chars>`: readable in logs, and unique when several nodes run on one host.
 * Characters a node id may not hold (dots of an FQDN, for one) become `-`.
 */
export function defaultNodeId(host: string = hostname()): string {
  const cleaned = host
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_HOST_PART);
  const suffix = randomBytes(4).toString('hex').slice(0, 6);
  return `${cleaned || 'node'}-${suffix}`;
}

/** What this machine offers, read once at construction (none of it changes while the process runs). */
export function localCapabilities(
  labels: Readonly<Record<string, string>>,
  gpus: readonly GpuInfo[] = [],
  models: readonly string[] = [],
  memoryBytes: number = totalmem(),
): NodeCapabilities {
  return {
    // availableParallelism honours CPU affinity and container limits where os.cpus() does not.
    cpus: availableParallelism(),
    memoryBytes,
    platform: platform(),
    arch: arch(),
    labels: { ...labels },
    gpus: gpus.map((gpu) => ({ ...gpu })),
    models: [...models],
  };
}
