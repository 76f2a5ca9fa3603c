import { KvWatchInclude, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import type { Logger } from '@easyremote/protocol';
import { RegistryError, RegistryErrorCode, describeError } from './errors.js';

export interface RegistryWatchOptions {
  logger: Logger;
  /** Called for every entry; `initial` is true while the watch replays what the bucket held at start. */
  onEntry: (entry: KvWatchEntry, initial: boolean) => void;
  /** Give up waiting for the end of the replay after this long (and treat what came as the state). */
  readyTimeoutMs: number;
  /** Delay before a watch that ended by itself is opened again. */
  restartDelayMs: number;
}

/**
 * A KV watch over the whole bucket that knows when its initial replay is over, and reopens itself if
 * the underlying consumer ever goes away.
 *
 * nats.js v3 marks the *last* replayed entry `isUpdate: true`, so `isUpdate` cannot tell where the
 * replay ends; `delta` (messages still pending for the consumer) reaches 0 exactly there. An empty
 * bucket replays nothing, so the bucket's message count is read once after the watch is created.
 */
export class RegistryWatch {
  readonly #kv: KV;
  readonly #options: RegistryWatchOptions;
  #iterator: QueuedIterator<KvWatchEntry> | undefined;
  #stopped = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(kv: KV, options: RegistryWatchOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  /** Opens a fresh watch (closing the current one) and resolves when its replay has been delivered. */
  async open(): Promise<void> {
    const previous = this.#iterator;
    this.#iterator = undefined; // so the previous loop, as it ends, does not schedule a restart
    previous?.stop();
    let iterator: QueuedIterator<KvWatchEntry>;
    let messages: number;
    try {
      iterator = await this.#kv.watch({ include: KvWatchInclude.LastValue });
      this.#iterator = iterator;
      messages = (await this.#kv.status()).values;
    } catch (error) {
      // The previous watch is gone already (and a half-made one is dropped): without a retry the view
      // would go deaf, e.g. after a resync that timed out while the cluster elected a stream leader.
      this.#iterator?.stop();
      this.#iterator = undefined;
      if (!this.#stopped) this.#scheduleRestart();
      throw new RegistryError(
        RegistryErrorCode.WatchFailed,
        `cannot watch the registry bucket: ${describeError(error)}`,
        { cause: error },
      );
    }
    if (this.#stopped) {
      iterator.stop();
      return;
    }

    let initial = messages > 0;
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    if (!initial) markReady();
    const readyTimer = setTimeout(() => {
      if (!initial) return;
      initial = false;
      this.#options.logger.warn(
        { timeoutMs: this.#options.readyTimeoutMs },
        'registry replay did not finish in time; continuing with what arrived',
      );
      markReady();
    }, this.#options.readyTimeoutMs);
    readyTimer.unref();

    void (async () => {
      try {
        for await (const entry of iterator) {
          const replayed = initial;
          if (initial && entry.delta === 0) initial = false;
          try {
            this.#options.onEntry(entry, replayed);
          } catch (error) {
            this.#options.logger.error({ err: error, key: entry.key }, 'registry entry handler failed');
          }
          if (replayed && !initial) markReady();
        }
      } catch (error) {
        this.#options.logger.error({ err: error }, 'registry watch failed');
      } finally {
        clearTimeout(readyTimer);
        markReady();
        if (iterator === this.#iterator && !this.#stopped) this.#scheduleRestart();
      }
    })();
    await ready;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#iterator?.stop();
  }

  #scheduleRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#options.logger.warn({ retryInMs: this.#options.restartDelayMs }, 'registry watch ended; reopening it');
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped) return;
      // A failed open schedules the next attempt itself.
      this.open().catch((error: unknown) =>
        this.#options.logger.error({ err: error }, 'could not reopen the registry watch'),
      );
    }, this.#options.restartDelayMs);
    this.#restartTimer.unref();
  }
}
