import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import type { Logger } from '@easyremote/protocol';
import { parseApiKey, secretMatches } from './api-key.js';
import type { ApiKeyRecord } from './key-store.js';

/** Who a valid key belongs to. */
export interface KeyPrincipal {
  id: string;
  name: string;
  scopes: readonly string[];
}

/**
 * The gateway's in-memory view of the API key bucket, kept current by a KV watch (like the registry
 * view): verifying a key is a map lookup and one SHA-256, never a KV read. A revoked or deleted key
 * disappears from every replica as soon as the watch delivers the change.
 */
export class KeyView {
  readonly #keys = new Map<string, ApiKeyRecord>();
  #iterator: QueuedIterator<KvWatchEntry> | undefined;
  #revision = 0;

  private constructor(private readonly logger: Logger) {}

  static async start(kv: KV, options: { logger: Logger; readyTimeoutMs?: number }): Promise<KeyView> {
    const view = new KeyView(options.logger);
    await view.#watch(kv, options.readyTimeoutMs ?? 5_000);
    return view;
  }

  async #watch(kv: KV, readyTimeoutMs: number): Promise<void> {
    const iterator = await kv.watch();
    this.#iterator = iterator;
    const pending = (await kv.status()).values;
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    if (pending === 0) markReady();
    const timer = setTimeout(markReady, readyTimeoutMs);
    timer.unref();
    void (async () => {
      try {
        for await (const entry of iterator) {
          this.#apply(entry);
          if (entry.delta === 0) markReady();
        }
      } catch (error) {
        this.logger.error({ err: error }, 'API key watch failed');
      }
    })();
    await ready;
    clearTimeout(timer);
  }

  #apply(entry: KvWatchEntry): void {
    this.#revision += 1;
    if (entry.operation !== 'PUT' || entry.value.length === 0) {
      this.#keys.delete(entry.key);
      return;
    }
    try {
      const record = entry.json<ApiKeyRecord>();
      if (record.revokedAt) this.#keys.delete(entry.key);
      else this.#keys.set(entry.key, record);
    } catch (error) {
      this.logger.warn({ err: error, key: entry.key }, 'ignoring an unreadable API key record');
    }
  }

  /** The key's owner, or undefined for a malformed, unknown, wrong or revoked key. */
  verify(token: string): KeyPrincipal | undefined {
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const record = this.#keys.get(parsed.id);
    if (!record || !secretMatches(parsed.secret, record.secretHash)) return undefined;
    return { id: record.id, name: record.name, scopes: record.scopes };
  }

  /**
   * Counts the changes applied so far: whoever remembers a `verify` answer (the gateway's
   * authenticator) must ask again once this moved, so a revoked key stops working at once.
   */
  get revision(): number {
    return this.#revision;
  }

  get size(): number {
    return this.#keys.size;
  }

  stop(): void {
    this.#iterator?.stop();
  }
}
