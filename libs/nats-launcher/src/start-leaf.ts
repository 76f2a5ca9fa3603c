import { startNats, type NatsServerHandle } from './start-nats.js';

export interface StartLeafOptions {
  /** The edge config, e.g. `nats/leaf.conf`; it reads NATS_SERVER_NAME, NATS_HOST and NATS_HUB_LEAF_URLS. */
  configFile: string;
  /** Leafnode URLs of the hub members to attach to (`ClusterMember.leafUrl`). */
  hubLeafUrls: readonly string[];
  /** Server name. Default `edge-1`. */
  name?: string;
  binary?: string;
  path?: string;
}

/**
 * Starts an edge leaf server on 127.0.0.1 that attaches to the given hub members. It does not wait
 * for the leaf connection: callers that need it wait for what they actually use (e.g. a registry put
 * through the hub's JetStream domain).
 */
export function startLeaf(options: StartLeafOptions): Promise<NatsServerHandle> {
  return startNats({
    configFile: options.configFile,
    ...(options.binary !== undefined ? { binary: options.binary } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    env: {
      NATS_SERVER_NAME: options.name ?? 'edge-1',
      NATS_HOST: '127.0.0.1',
      NATS_HUB_LEAF_URLS: `[${options.hubLeafUrls.join(', ')}]`,
    },
  });
}
