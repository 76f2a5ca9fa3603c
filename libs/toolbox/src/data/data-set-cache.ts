/** A data set's bytes held for the chunks that follow the first one on this node. */
interface Entry {
  readonly bytes: Promise<Buffer>;
  expires: number;
}

/**
 * Whole data sets by version, shared by concurrent and following chunks on one node. The object
 * store cannot read from an offset, so without it every chunk would stream the object from its
 * start (quadratic in the number of chunks); with it a node reads each version once. Entries expire
 * after `ttlMs` without use, and at most `maxEntries` are kept.
 */
export class DataSetCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 4;
    this.#now = options.now ?? Date.now;
  }

  /** The cached bytes of `key` (an id and its version), loading them once with `load`. */
  get(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const now = this.#now();
    for (const [other, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(other);
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      hit.expires = now + this.#ttlMs;
      // Re-inserted so the map's order is least recently used first.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.bytes;
    }
    const bytes = load();
    // A failed load is not kept: the next chunk tries again.
    bytes.catch(() => this.#entries.delete(key));
    this.#entries.set(key, { bytes, expires: now + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return bytes;
  }

  clear(): void {
    this.#entries.clear();
  }
}
