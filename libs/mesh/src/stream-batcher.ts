import type { NatsConnection } from '@nats-io/nats-core';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { publishToStream } from './stream-publish.js';
import type { RpcClient } from './rpc-client.js';

export interface StreamBatcherOptions {
  /**
   * `acknowledged`: each batch is a stream publish that waits for its acknowledgement and is retried
   * (same message id, so the stream stores it once) — for records that are evidence (audit).
   * `fire-and-forget`: a plain publish into the stream's subject, no ack — for statistics.
   */
  mode: 'acknowledged' | 'fire-and-forget';
  /** Unique per batcher instance: batch message ids are `<idPrefix>-<n>`. */
  idPrefix: string;
  /**
   * Longest a record waits before its batch is sent. Default 50 ms. `0` is group commit: a record
   * goes out at once (with the others added in the same turn of the event loop) unless
   * `maxInFlight` batches are already waiting for their acks; then it joins the next batch, sent as
   * soon as one of those is acknowledged. Under load the batches grow, with no added wait when idle.
   */
  flushIntervalMs?: number;
  /** Group commit only: batches awaiting their ack at once. Default 2. */
  maxInFlight?: number;
  /** A batch is sent at once when its body reaches this size. Default 256 KiB (NATS allows 1 MiB). */
  maxBatchBytes?: number;
  /** Attempts of an acknowledged batch (timeouts, no ack) before it is reported lost. Default 3. */
  attempts?: number;
  /** How long one attempt waits for its ack. Default 5000 ms. */
  attemptTimeoutMs?: number;
  /** Wait before attempt n+1 is n × this (at most 1 s). Default 100 ms. */
  retryDelayMs?: number;
  /**
   * Keep retrying until this long has passed since the first attempt, however many attempts that
   * takes (a stream leader election answers "no responders" at once, so counting attempts alone
   * gives up too early). Default 0: `attempts` decides.
   */
  retryBudgetMs?: number;
  /** A batch that could not be stored after every attempt. */
  onError: (error: unknown, batch: { subject: string; records: number }) => void;
}

interface OpenBatch {
  parts: string[];
  bytes: number;
  /** Settles when this batch is stored (acknowledged mode) or sent (fire-and-forget). */
  done: Deferred;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers may ignore the outcome (analytics); onError reports it either way.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** How a batch travels: a JSON array of records, one message per subject per flush. */
export function encodeRecordBatch(records: readonly string[]): string {
  return `[${records.join(',')}]`;
}

/**
 * The records in one stream message: a batch (JSON array) written by a StreamBatcher, or a single
 * record (JSON object) as gateways before batching wrote them. Throws on a body that is neither.
 */
export function decodeRecordBatch<T>(data: Uint8Array): T[] {
  const value: unknown = JSON.parse(decoder.decode(data));
  if (Array.isArray(value)) return value as T[];
  if (typeof value === 'object' && value !== null) return [value as T];
  throw new TypeError('a stream record must be a JSON object or an array of them');
}

const decoder = new TextDecoder();

/**
 * Appends records (already JSON) to JetStream streams in batches: every record added within one
 * flush interval to the same subject travels in one message. Recording every tool call as its own
 * message (plus its ack) was three of the five NATS messages a gateway call cost; batched, a busy
 * gateway sends a few messages per interval whatever its call rate (docs/performance.md).
 * `flush()` sends what is waiting now; `close()` flushes and stops.
 */
export class StreamBatcher {
  readonly #nc: NatsConnection;
  readonly #rpc: RpcClient | undefined;
  readonly #options: Required<Omit<StreamBatcherOptions, 'onError'>> & Pick<StreamBatcherOptions, 'onError'>;
  readonly #open = new Map<string, OpenBatch>();
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #sequence = 0;
  #closed = false;

  /** `rpc` is required in acknowledged mode (the ack is a reply through the shared inbox). */
  constructor(nc: NatsConnection, rpc: RpcClient | undefined, options: StreamBatcherOptions) {
    if (options.mode === 'acknowledged' && rpc === undefined)
      throw new TypeError('an acknowledged StreamBatcher needs an RpcClient');
    this.#nc = nc;
    this.#rpc = rpc;
    this.#options = {
      flushIntervalMs: 50,
      maxBatchBytes: 256 * 1024,
      attempts: 3,
      attemptTimeoutMs: 5_000,
      retryDelayMs: 100,
      retryBudgetMs: 0,
      maxInFlight: 2,
      ...options,
    };
  }

  /**
   * Queues one record (a JSON object's text) for `subject`. The promise settles with its batch:
   * resolved once the stream acknowledged it (acknowledged mode; sent, in fire-and-forget), rejected
   * when it was lost after every attempt. After close() records are sent one by one.
   */
  add(subject: string, record: string): Promise<void> {
    if (this.#closed) {
      const done = deferred();
      this.#send(subject, [record], done);
      return done.promise;
    }
    let batch = this.#open.get(subject);
    if (batch === undefined) {
      batch = { parts: [], bytes: 2, done: deferred() };
      this.#open.set(subject, batch);
    }
    batch.parts.push(record);
    batch.bytes += record.length + 1;
    const { promise } = batch.done;
    if (batch.bytes >= this.#options.maxBatchBytes) {
      this.#open.delete(subject);
      this.#send(subject, batch.parts, batch.done);
      return promise;
    }
    if (this.#options.flushIntervalMs === 0) {
      this.#scheduleGroupCommit();
      return promise;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#options.flushIntervalMs);
      // A pending flush must not keep a process alive on its own; close() flushes on shutdown.
      this.#timer.unref();
    }
    return promise;
  }

  /** Group commit: send what is open after this turn, unless enough batches are awaiting acks already. */
  #scheduleGroupCommit(): void {
    if (this.#immediate !== undefined || this.#inFlight.size >= this.#options.maxInFlight) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      this.#sendOpen();
    });
  }

  #sendOpen(): void {
    for (const [subject, batch] of this.#open) this.#send(subject, batch.parts, batch.done);
    this.#open.clear();
  }

  /** Records queued and not yet sent. */
  get queued(): number {
    let count = 0;
    for (const batch of this.#open.values()) count += batch.parts.length;
    return count;
  }

  /** Sends everything queued; resolves when every batch sent so far was stored (or reported lost). */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#sendOpen();
    await Promise.all([...this.#inFlight]);
  }

  /** Flushes and stops batching (later records go out one message each). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #send(subject: string, records: string[], done: Deferred): void {
    const body = encodeRecordBatch(records);
    const msgId = `${this.#options.idPrefix}-${++this.#sequence}`;
    if (this.#options.mode === 'fire-and-forget') {
      try {
        const h = natsHeaders();
        h.set('Nats-Msg-Id', msgId);
        this.#nc.publish(subject, body, { headers: h });
        done.resolve();
      } catch (error) {
        this.#options.onError(error, { subject, records: records.length });
        done.reject(error);
      }
      return;
    }
    const sending = this.#publishAcknowledged(subject, body, msgId, records.length).then(done.resolve, done.reject);
    this.#inFlight.add(sending);
    void sending.finally(() => {
      this.#inFlight.delete(sending);
      // Group commit: what arrived while this batch awaited its ack goes out now.
      if (this.#options.flushIntervalMs === 0 && this.#open.size > 0) this.#scheduleGroupCommit();
    });
  }

  async #publishAcknowledged(subject: string, body: string, msgId: string, records: number): Promise<void> {
    const rpc = this.#rpc as RpcClient;
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await publishToStream(rpc, subject, body, { msgId, timeoutMs: this.#options.attemptTimeoutMs });
        return;
      } catch (error) {
        const budgetLeft = Date.now() - startedAt < this.#options.retryBudgetMs;
        if (attempt >= this.#options.attempts && !budgetLeft) {
          this.#options.onError(error, { subject, records });
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, this.#options.retryDelayMs * attempt)));
      }
    }
  }
}
