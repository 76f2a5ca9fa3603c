import type { Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * After a reconnect (a server restart, or a failover to another cluster member) the registry watch may
 * have lost its consumer with the server that held it, or missed updates while disconnected. Replaying
 * the bucket makes the view converge at once instead of after the watch notices by itself. Runs until
 * the connection closes.
 */
export function resyncOnReconnect(nc: NatsConnection, registry: RegistryView, logger: Logger): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== 'reconnect') continue;
      registry.resync().then(
        () => logger.info({ nodes: registry.nodes().size }, 'registry resynced after reconnect'),
        (error: unknown) =>
          logger.warn({ err: error }, 'registry resync after reconnect failed; the watch retries by itself'),
      );
    }
  })();
}
