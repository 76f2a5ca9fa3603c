import { createHash } from 'node:crypto';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiterOptions {
  /** Calls allowed per window. */
  limit: number;
  windowMs: number;
  /** Stream name (one per limit: per principal, per principal on a tool). */
  stream: string;
  replicas?: number;
}

/**
 * Fixed-window limits shared by every gateway replica, enforced by the NATS server itself: a
 * JetStream stream with `max_msgs_per_subject = limit` and `discard: new` per subject. Each call
 * publishes one tiny message to `<stream>.<subject hash>.<window>`; the server stores at most `limit`
 * per window and rejects the rest, so N replicas together never admit more than `limit` — in one
 * round trip, with no read-modify-write race (nats-server 2.9 ignores "expected last sequence 0",
 * which rules out create-then-update counters in KV). Messages expire after two windows. A subject
 * already over its limit is remembered locally until the window ends, so a flood costs no NATS traffic.
 */
export class RateLimiter {
  readonly #blocked = new Map<string, number>();

  private constructor(
    private readonly js: JetStreamClient,
    private readonly options: RateLimiterOptions,
  ) {}

  static async open(nc: NatsConnection, options: RateLimiterOptions): Promise<RateLimiter> {
    const jsm = await jetstreamManager(nc);
    const config = {
      name: options.stream,
      subjects: [`${options.stream}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.Memory,
      num_replicas: options.replicas ?? 1,
      max_msgs_per_subject: options.limit,
      discard: DiscardPolicy.New,
      discard_new_per_subject: true,
      max_age: Math.max(options.windowMs * 2, 1000) * 1_000_000,
    };
    try {
      await jsm.streams.info(options.stream);
      await jsm.streams.update(options.stream, config);
    } catch {
      await jsm.streams.add(config);
    }
    return new RateLimiter(jetstream(nc), options);
  }

  /** Counts one call against `subject` (e.g. a principal, or principal + tool). */
  async take(subject: string, now = Date.now()): Promise<RateDecision> {
    const { windowMs, stream } = this.options;
    const window = Math.floor(now / windowMs);
    const retryAfterMs = (window + 1) * windowMs - now;
    const key = `${stream}.${createHash('sha256').update(subject).digest('hex').slice(0, 32)}.${window}`;
    const blockedUntil = this.#blocked.get(key);
    if (blockedUntil !== undefined) {
      if (now < blockedUntil) return { ok: false, retryAfterMs };
      this.#blocked.delete(key);
    }
    try {
      await this.js.publish(key, new Uint8Array(0));
      return { ok: true };
    } catch (error) {
      if (!/maximum messages per subject/i.test(error instanceof Error ? error.message : String(error))) throw error;
      if (this.#blocked.size > 10_000) this.#blocked.clear();
      this.#blocked.set(key, (window + 1) * windowMs);
      return { ok: false, retryAfterMs };
    }
  }
}
