import { hash, randomUUID } from 'node:crypto';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { decodeRecordBatch, StreamBatcher, type RpcClient } from '@easyremote/mesh';
import { canonicalJson, isValidToolName, toolNameToToken } from '@easyremote/protocol';
import { AuthError, AuthErrorCode, describeError } from './errors.js';

export const AUDIT_STREAM = 'EASYREMOTE_AUDIT';
export const AUDIT_SUBJECT_PREFIX = 'easyremote.audit';

/** One tool execution as the audit stream keeps it: who, what, where, how long, how it ended — never the arguments. */
export interface AuditRecord {
  time: string;
  callId: string;
  principal: string | undefined;
  tool: string;
  nodeId: string | undefined;
  via: string;
  durationMs: number;
  outcome: string;
  errorCode: string | undefined;
  /** SHA-256 (hex) of the arguments' canonical JSON (keys sorted), so equal inputs can be matched without storing them. */
  argumentsSha256: string;
  /** A fanned-out call's chunk runs: which node ran which chunk, for how long, with what outcome. */
  chunks?: AuditChunk[] | undefined;
}

export interface AuditChunk {
  index: number;
  nodeId: string;
  durationMs: number;
  outcome: string;
  errorCode?: string | undefined;
}

export interface AuditQuery {
  /** Records at or after this time (epoch ms). */
  sinceMs: number;
  tool?: string | undefined;
  principal?: string | undefined;
  limit?: number | undefined;
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `1h`, `30m`, `2d` (ago) or an ISO time → epoch ms; undefined when unreadable. A duration reaching
 * back before 1970 means "from the start" (0): no record is older, and a time outside JavaScript's
 * date range could not be sent to JetStream.
 */
export function parseSince(since: string, now = Date.now()): number | undefined {
  const match = DURATION.exec(since.trim());
  if (match) return Math.max(0, now - Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1));
  const time = Date.parse(since);
  return Number.isNaN(time) ? undefined : time;
}

export interface AuditLogOptions {
  /**
   * How long a batched record waits before its batch is sent. Default 0: group commit (a record goes
   * out at once, or with the next batch while earlier ones await their acks).
   */
  flushIntervalMs?: number;
  /** A batch of `records` could not be stored after every retry. */
  onLost?: (error: unknown, records: number) => void;
}

export function argumentsDigest(args: unknown): string {
  return hash('sha256', canonicalJson(args), 'hex');
}

/**
 * The durable audit trail: a JetStream stream of tool executions. A gateway (`rpc` given) batches its
 * records by group commit — the records written while a batch awaits its ack go in the next
 * acknowledged message per tool subject,
 * retried under the same message id so it is stored once; without `rpc` (tools, tests) each record
 * is its own message. Readers take both shapes (decodeRecordBatch).
 */
export class AuditLog {
  readonly #batcher: StreamBatcher | undefined;
  readonly #subjects = new Map<string, string>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    rpc: RpcClient | undefined,
    options: AuditLogOptions,
  ) {
    this.#batcher =
      rpc === undefined
        ? undefined
        : new StreamBatcher(nc, rpc, {
            mode: 'acknowledged',
            idPrefix: `audit-${randomUUID()}`,
            flushIntervalMs: options.flushIntervalMs ?? 0,
            // Calls wait for their record: ride out a stream leader election (a cluster member lost)
            // before failing them closed.
            attempts: 5,
            attemptTimeoutMs: 2_000,
            retryDelayMs: 250,
            retryBudgetMs: 10_000,
            onError: (error, batch) => options.onLost?.(error, batch.records),
          });
  }

  /** `rpc`: batch records through the shared-inbox client (one acknowledged message per flush interval). */
  static async open(
    nc: NatsConnection,
    options: AuditLogOptions & { replicas?: number; maxAgeMs?: number; rpc?: RpcClient } = {},
  ): Promise<AuditLog> {
    try {
      const jsm = await jetstreamManager(nc);
      const config = {
        name: AUDIT_STREAM,
        subjects: [`${AUDIT_SUBJECT_PREFIX}.>`],
        num_replicas: options.replicas ?? 1,
        max_age: (options.maxAgeMs ?? 30 * 24 * 3600 * 1000) * 1_000_000,
        duplicate_window: 2 * 60 * 1_000_000_000,
      };
      try {
        await jsm.streams.info(AUDIT_STREAM);
      } catch {
        await jsm.streams.add(config);
      }
      return new AuditLog(nc, jetstream(nc), options.rpc, options);
    } catch (error) {
      throw new AuthError(AuthErrorCode.StoreFailed, `cannot open the audit stream: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Stores one record and resolves once JetStream acknowledged it; rejects when it could not be
   * stored. Batched: the record shares one acknowledged message (and one promise) with the records
   * written alongside it; a batch still refused after retries is also reported to `onLost`.
   */
  record(record: AuditRecord): Promise<void> {
    try {
      const subject = this.#subjectOf(record.tool);
      if (this.#batcher) return this.#batcher.add(subject, JSON.stringify(record));
      return this.js
        .publish(subject, JSON.stringify(record), { msgID: record.callId || randomUUID() })
        .then(() => undefined);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The subject of a tool's records, remembered: a gateway records the same few tools all day. */
  #subjectOf(tool: string): string {
    let subject = this.#subjects.get(tool);
    if (subject === undefined) {
      const token = isValidToolName(tool) ? toolNameToToken(tool) : '_invalid';
      subject = `${AUDIT_SUBJECT_PREFIX}.${token}`;
      if (this.#subjects.size >= 10_000) this.#subjects.clear();
      this.#subjects.set(tool, subject);
    }
    return subject;
  }

  /** Sends the records queued so far and waits until the stream has them. */
  async flush(): Promise<void> {
    await this.#batcher?.flush();
  }

  /** Records since a time, oldest first, optionally for one tool or principal. */
  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const limit = query.limit ?? 1000;
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(AUDIT_STREAM);
    if (info.state.messages === 0) return [];
    const filter =
      query.tool !== undefined && isValidToolName(query.tool)
        ? `${AUDIT_SUBJECT_PREFIX}.${toolNameToToken(query.tool)}`
        : `${AUDIT_SUBJECT_PREFIX}.>`;
    const consumer = await this.js.consumers.get(AUDIT_STREAM, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(query.sinceMs).toISOString(),
    });
    const records: AuditRecord[] = [];
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 1000 });
      let seen = 0;
      let pending = 0;
      for await (const message of batch) {
        seen += 1;
        pending = message.info.pending;
        for (const record of decodeRecordBatch<AuditRecord>(message.data)) {
          if (query.tool !== undefined && record.tool !== query.tool) continue;
          if (query.principal !== undefined && record.principal !== query.principal) continue;
          records.push(record);
        }
        if (pending === 0) break;
      }
      if (seen === 0 || pending === 0) break;
    }
    return records.slice(-limit);
  }
}
