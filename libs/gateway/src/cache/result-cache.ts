import { createHash } from 'node:crypto';
import { canonicalJson, type CallResult, type Logger } from '@easyremote/protocol';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

/** KV bucket of cached tool results, shared by every gateway. */
export const RESULT_CACHE_BUCKET = 'easyremote-results';
/** Results larger than this (JSON bytes) are not cached: they would crowd NATS messages. */
const MAX_ENTRY_BYTES = 512 * 1024;

interface Entry {
  expiresAt: number;
  result: CallResult;
}

export type CacheLookupListener = (tool: string, hit: boolean) => void;

/**
 * Results of tools that opt in (`metadata.cacheTtlMs`, for idempotent tools whose result depends only on
 * their arguments) in a KV bucket every gateway shares. The bucket's max age bounds storage; each entry
 * carries its own expiry (the tool's TTL), checked on read. Failures never fail a call: a broken cache
 * is a miss.
 */
export class ResultCache {
  readonly #kv: KV;
  readonly #logger: Logger;
  readonly #listeners = new Set<CacheLookupListener>();

  private constructor(kv: KV, logger: Logger) {
    this.#kv = kv;
    this.#logger = logger;
  }

  static async open(
    nc: NatsConnection,
    options: { replicas: number; maxTtlMs?: number; logger: Logger },
  ): Promise<ResultCache> {
    const kv = await new Kvm(nc).create(RESULT_CACHE_BUCKET, {
      history: 1,
      ttl: options.maxTtlMs ?? 24 * 3600 * 1000,
      replicas: options.replicas,
    });
    return new ResultCache(kv, options.logger);
  }

  /** The KV key of one call: a hash of the tool name and its arguments in canonical JSON. */
  static key(tool: string, args: Readonly<Record<string, unknown>>): string {
    return createHash('sha256').update(tool).update('\0').update(canonicalJson(args)).digest('hex');
  }

  /** Observes every lookup (metrics: hits and misses per tool). */
  onLookup(listener: CacheLookupListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async get(tool: string, key: string, now = Date.now()): Promise<CallResult | undefined> {
    let result: CallResult | undefined;
    try {
      const entry = await this.#kv.get(key);
      if (entry && entry.operation === 'PUT') {
        const stored = entry.json<Entry>();
        if (stored.expiresAt > now) result = stored.result;
      }
    } catch (error) {
      this.#logger.warn({ err: error, tool }, 'result cache lookup failed');
    }
    for (const listener of this.#listeners) listener(tool, result !== undefined);
    return result;
  }

  /** Stores a successful result for `ttlMs` (fire and forget). */
  put(tool: string, key: string, result: CallResult, ttlMs: number, now = Date.now()): void {
    const data = JSON.stringify({ expiresAt: now + ttlMs, result } satisfies Entry);
    if (Buffer.byteLength(data) > MAX_ENTRY_BYTES) return;
    this.#kv
      .put(key, data)
      .catch((error: unknown) => this.#logger.warn({ err: error, tool }, 'could not store a result in the cache'));
  }
}
