import { randomUUID } from 'node:crypto';
import { decodeRecordBatch, StreamBatcher } from '@easyremote/mesh';
import type { Logger } from '@easyremote/protocol';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CallEvent } from '../pipeline/call-events.js';

/** Stream and subject every gateway records finished calls to; any gateway reads them back. */
export const ANALYTICS_STREAM = 'EASYREMOTE_ANALYTICS';
export const ANALYTICS_SUBJECT = 'easyremote.analytics.calls';

/** One finished call as stored (no arguments: only their size). */
export interface CallRecord {
  callId: string;
  tool: string;
  nodeId: string | null;
  principal: string | null;
  via: CallEvent['via'];
  startedAt: number;
  durationMs: number;
  outcome: CallEvent['outcome'];
  errorCode: string | null;
  argumentsBytes: number;
  resultBytes: number;
  /** GPUs the serving node advertised at the time (GPU-seconds = duration × gpus). */
  gpus: number;
  /** Answered from the shared result cache. */
  cached: boolean;
  gateway: string;
  /** A fanned-out call's chunk runs: the nodes that did its work (the call's own nodeId is null). */
  chunks?: ChunkRecord[];
}

/** One chunk run of a fanned-out call as stored. */
export interface ChunkRecord {
  index: number;
  nodeId: string;
  durationMs: number;
  outcome: CallEvent['outcome'];
  /** GPUs that node advertised at the time. */
  gpus: number;
}

export interface AnalyticsStoreOptions {
  replicas: number;
  /** How long a record waits before its batch is sent. Default 50 ms. */
  flushIntervalMs?: number;
  /** How long records are kept, ms (default 30 days). */
  maxAgeMs?: number;
  logger: Logger;
}

/** Appends call records to the analytics stream and reads a time window back. */
export class AnalyticsStore {
  readonly #js: JetStreamClient;
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #batcher: StreamBatcher;

  private constructor(nc: NatsConnection, options: AnalyticsStoreOptions) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#logger = options.logger;
    // Analytics is statistics, not evidence (the audit stream is, and stays acknowledged): batches are
    // plain publishes into the stream's subject, stored the same way, with no ack message.
    this.#batcher = new StreamBatcher(nc, undefined, {
      mode: 'fire-and-forget',
      idPrefix: `analytics-${randomUUID()}`,
      ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
      onError: (error, batch) =>
        this.#logger.warn({ err: error, records: batch.records }, 'could not record calls for analytics'),
    });
  }

  static async open(nc: NatsConnection, options: AnalyticsStoreOptions): Promise<AnalyticsStore> {
    const jsm = await jetstreamManager(nc);
    const config = {
      name: ANALYTICS_STREAM,
      subjects: [ANALYTICS_SUBJECT],
      max_age: (options.maxAgeMs ?? 30 * 24 * 3600 * 1000) * 1_000_000,
      num_replicas: options.replicas,
      duplicate_window: 120 * 1_000_000_000,
    };
    try {
      await jsm.streams.info(ANALYTICS_STREAM);
    } catch {
      try {
        await jsm.streams.add(config);
      } catch (error) {
        // Another gateway created it at the same moment.
        await jsm.streams.info(ANALYTICS_STREAM).catch(() => Promise.reject(error));
      }
    }
    return new AnalyticsStore(nc, options);
  }

  /** Records one call (batched: sent within the flush interval). Never throws. */
  record(record: CallRecord): void {
    this.#batcher.add(ANALYTICS_SUBJECT, JSON.stringify(record));
  }

  /** Sends the records queued so far. */
  async flush(): Promise<void> {
    await this.#batcher.flush();
  }

  /** Every record stored at or after `since` (epoch ms), in order, up to what the stream held when asked. */
  async read(since: number): Promise<CallRecord[]> {
    const jsm = await jetstreamManager(this.#nc);
    const info = await jsm.streams.info(ANALYTICS_STREAM);
    const lastSeq = info.state.last_seq;
    if (info.state.messages === 0 || Date.parse(info.state.last_ts) < since) return [];
    const consumer = await this.#js.consumers.get(ANALYTICS_STREAM, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(since).toISOString(),
    });
    const records: CallRecord[] = [];
    const messages = await consumer.consume();
    try {
      for await (const msg of messages) {
        try {
          records.push(...decodeRecordBatch<CallRecord>(msg.data));
        } catch {
          this.#logger.warn({ seq: msg.seq }, 'skipped an unreadable analytics record');
        }
        if (msg.seq >= lastSeq || msg.info.pending === 0) break;
      }
    } finally {
      await messages.close();
      await consumer.delete().catch(() => {});
    }
    return records;
  }
}
