import type { Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Whether the mesh connection is usable right now. The client reconnects forever, so "not closed"
 * is not "connected": a gateway that lost its server must report not-ready until it is back, so the
 * load balancer sends clients to a replica that can route.
 */
export class MeshHealth {
  #connected = true;
  readonly #listeners = new Set<(event: 'disconnect' | 'reconnect') => void>();

  constructor(private readonly nc: NatsConnection) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.#set(false, 'disconnect');
        else if (status.type === 'reconnect') this.#set(true, 'reconnect');
      }
    })().catch(() => {
      this.#connected = false;
    });
  }

  /** Why the gateway cannot route, or undefined when it can. */
  notReadyReason(): string | undefined {
    if (this.nc.isClosed()) return 'NATS connection closed';
    if (!this.#connected) return 'reconnecting to NATS';
    return undefined;
  }

  onChange(listener: (event: 'disconnect' | 'reconnect') => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(connected: boolean, event: 'disconnect' | 'reconnect'): void {
    this.#connected = connected;
    for (const listener of this.#listeners) listener(event);
  }
}

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

const ATTEMPTS = 3;

/**
 * Runs a start-up step that only creates or reads JetStream buckets, again when it timed out. On
 * nats-server 2.9 a cluster answers one of several concurrent creates of the same replicated bucket
 * and lets the others time out, and a bucket just created answers only once its stream has a leader:
 * replicas starting together must not exit over that. Other failures are final.
 */
export async function retryOnTimeout<T>(step: string, run: () => Promise<T>, logger: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const timedOut =
        (error as { name?: unknown }).name === 'TimeoutError' ||
        /timeout/i.test(error instanceof Error ? error.message : String(error));
      if (!timedOut || attempt >= ATTEMPTS) throw error;
      logger.warn({ step, attempt, err: error }, 'start-up step timed out on JetStream; trying again');
    }
  }
}
