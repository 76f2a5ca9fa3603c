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
