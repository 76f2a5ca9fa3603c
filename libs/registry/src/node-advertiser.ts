import type { KV } from '@nats-io/kv';
import { encodeJson, registryKey, silentLogger, type Logger, type NodeAdvert } from '@easyremote/protocol';
import { RegistryError, RegistryErrorCode, describeError } from './errors.js';

export interface NodeAdvertiserOptions {
  nodeId: string;
  /** Re-put interval; about a third of the advert's ttlMs so one lost beat does not drop the node. */
  heartbeatMs: number;
  logger?: Logger;
  /** Builds the current advert (tools, load, heartbeatAt) on every put. */
  advert: () => NodeAdvert;
}

/**
 * Keeps one node's advert alive in the registry: a put at start, a put every heartbeat, and a delete
 * on graceful stop so gateways drop the node at once instead of waiting for its TTL.
 */
export class NodeAdvertiser {
  readonly #kv: KV;
  readonly #options: NodeAdvertiserOptions;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #putTimeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  // Bumped on start and stop, so a beat that was in flight across a stop/start does not schedule twice.
  #generation = 0;
  // Puts run one after another so a slow heartbeat can never land after a newer refresh or the delete.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(kv: KV, options: NodeAdvertiserOptions) {
    if (!(options.heartbeatMs > 0)) throw new TypeError(`heartbeatMs must be positive, got ${options.heartbeatMs}`);
    this.#kv = kv;
    this.#options = options;
    this.#key = registryKey(options.nodeId);
    this.#putTimeoutMs = Math.max(500, options.heartbeatMs);
    this.#logger = (options.logger ?? silentLogger).child({ nodeId: options.nodeId });
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Puts the advert, then heartbeats. The first put is tried for up to five heartbeat intervals (10 s
   * at most): a cluster that just created the bucket, or is electing its stream leader, refuses puts
   * for a few seconds, and a node should not fail its start over that. Fails with
   * REG_ERR_ADVERTISE_FAILED when the put still fails.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    const deadline = Date.now() + Math.min(10_000, 5 * this.#options.heartbeatMs);
    for (let wait = Math.min(100, this.#options.heartbeatMs); ; wait = Math.min(wait * 2, 1_000)) {
      try {
        await this.#put();
        break;
      } catch (error) {
        if (Date.now() + wait > deadline) throw error;
        this.#logger.warn({ err: error, retryInMs: wait }, 'first registry advert failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    this.#running = true;
    this.#schedule(++this.#generation);
  }

  /** Puts the advert now, e.g. after the node's tools changed. A no-op before start and after stop. */
  async refresh(): Promise<void> {
    if (this.#running) await this.#put();
  }

  /** Stops heartbeating and deletes the advert. Never throws: a node that fails to leave is swept by TTL. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A delete (not a purge) leaves a DEL marker that every watcher receives; with history 1 either
    // keeps exactly one marker message per key, and the bucket's max age removes it later (2.9 has
    // no marker TTL). Purge's rollup adds nothing here.
    const leave = this.#queue.then(() => this.#kv.delete(this.#key));
    this.#queue = leave.catch(() => {});
    try {
      await leave;
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not delete the registry advert; gateways will drop it after its TTL');
    }
  }

  #put(): Promise<void> {
    const put = this.#queue.then(async () => {
      const advert = this.#options.advert();
      if (advert.nodeId !== this.#options.nodeId) {
        throw new TypeError(
          `advert.nodeId ${advert.nodeId} does not match the advertiser's node id ${this.#options.nodeId}`,
        );
      }
      try {
        // A put lost in a reconnect would otherwise hold the queue for the default 5 s JetStream
        // timeout, longer than a node's TTL; one beat is as long as a put is worth waiting for.
        await this.#kv.put(this.#key, encodeJson(advert), { timeout: this.#putTimeoutMs });
      } catch (error) {
        throw new RegistryError(
          RegistryErrorCode.AdvertiseFailed,
          `cannot write the advert of node ${this.#key}: ${describeError(error)}`,
          {
            cause: error,
          },
        );
      }
    });
    this.#queue = put.catch(() => {});
    return put;
  }

  #schedule(generation: number): void {
    this.#timer = setTimeout(() => void this.#beat(generation), this.#options.heartbeatMs);
    this.#timer.unref();
  }

  async #beat(generation: number): Promise<void> {
    try {
      await this.#put();
    } catch (error) {
      this.#logger.warn({ err: error }, 'registry heartbeat failed; retrying at the next beat');
    }
    if (this.#running && generation === this.#generation) this.#schedule(generation);
  }
}
