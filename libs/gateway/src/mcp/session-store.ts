import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Logger } from '@easyremote/protocol';

/** What a 2025-era session changes after `initialize`: shared by every replica through NATS KV. */
export interface SessionPreferences {
  /** Minimum level of `notifications/message` the client wants (`logging/setLevel`). */
  logLevel?: string;
  /** Resource URIs the client subscribed to (`resources/subscribe`). */
  subscriptions?: string[];
  /** Set by `DELETE /mcp`: every replica answers 404 from then on. */
  terminated?: boolean;
}

export const SESSION_BUCKET = 'easyremote-sessions';

/**
 * The mutable side of sealed sessions. A session id carries what `initialize` settled; what the client
 * changes later lives here, keyed by the session's uid, and every replica keeps an in-memory copy fed
 * by one KV watch — so requests never read KV, and a `logging/setLevel` or `DELETE` sent to one
 * replica holds on all of them.
 */
export class SessionStore {
  readonly #kv: KV;
  readonly #prefs = new Map<string, SessionPreferences>();
  readonly #listeners = new Set<(sid: string, prefs: SessionPreferences) => void>();
  #stopped = false;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(kv: KV, logger: Logger): Promise<SessionStore> {
    const store = new SessionStore(kv);
    const watcher = await kv.watch();
    // The initial replay is synchronous with respect to readiness only loosely; updates made by this
    // replica are applied locally first (see update()), so no read-your-writes gap.
    void (async () => {
      for await (const entry of watcher) {
        if (store.#stopped) break;
        store.#apply(entry, logger);
      }
    })().catch((error: unknown) => logger.error({ err: error }, 'session store watch ended'));
    store.#stop = () => watcher.stop();
    return store;
  }

  #stop: () => void = () => {};

  get(sid: string): SessionPreferences | undefined {
    return this.#prefs.get(sid);
  }

  /** Merges `change` into the session's preferences here at once, and on every replica via KV. */
  async update(sid: string, change: SessionPreferences): Promise<SessionPreferences> {
    const next = { ...this.#prefs.get(sid), ...change };
    this.#set(sid, next);
    await this.#kv.put(sid, JSON.stringify(next));
    return next;
  }

  onChange(listener: (sid: string, prefs: SessionPreferences) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stopped = true;
    this.#stop();
  }

  #apply(entry: KvWatchEntry, logger: Logger): void {
    if (entry.operation !== 'PUT') {
      this.#prefs.delete(entry.key);
      return;
    }
    try {
      this.#set(entry.key, JSON.parse(new TextDecoder().decode(entry.value)) as SessionPreferences);
    } catch (error) {
      logger.warn({ key: entry.key, err: error }, 'skipping malformed session entry');
    }
  }

  #set(sid: string, prefs: SessionPreferences): void {
    this.#prefs.set(sid, prefs);
    for (const listener of this.#listeners) listener(sid, prefs);
  }
}
