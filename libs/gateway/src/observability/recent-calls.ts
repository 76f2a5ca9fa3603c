import type { CallEvent, CallEvents } from '../pipeline/call-events.js';

/** One call as the dashboard lists it (no arguments). */
export interface RecentCall {
  callId: string;
  tool: string;
  nodeId: string | null;
  /** The nodes that ran a fanned-out call's chunks (sorted, each once); empty for a whole call. */
  chunkNodes: string[];
  outcome: CallEvent['outcome'];
  durationMs: number;
  at: number;
}

/** Calls, errors and mean latency of one time bucket. */
export interface SeriesPoint {
  at: number;
  calls: number;
  errors: number;
  avgMs: number;
}

/**
 * This replica's recent calls and a per-bucket time series for the dashboard's live view (the
 * analytics report is the mesh-wide view; this one is immediate and local).
 */
export class RecentCalls {
  readonly #calls: RecentCall[] = [];
  readonly #buckets = new Map<number, { calls: number; errors: number; totalMs: number }>();
  readonly #unsubscribe: () => void;

  constructor(
    events: CallEvents,
    readonly options: { keep: number; bucketMs: number; buckets: number } = { keep: 50, bucketMs: 5_000, buckets: 60 },
  ) {
    this.#unsubscribe = events.subscribe((event) => this.#add(event));
  }

  #add(event: CallEvent): void {
    const at = event.startedAt + event.durationMs;
    const chunkNodes = event.chunks === undefined ? [] : [...new Set(event.chunks.map((run) => run.nodeId))].sort();
    this.#calls.unshift({
      callId: event.callId,
      tool: event.tool,
      nodeId: event.nodeId ?? null,
      chunkNodes,
      outcome: event.outcome,
      durationMs: event.durationMs,
      at,
    });
    this.#calls.length = Math.min(this.#calls.length, this.options.keep);
    const key = Math.floor(at / this.options.bucketMs) * this.options.bucketMs;
    const bucket = this.#buckets.get(key) ?? { calls: 0, errors: 0, totalMs: 0 };
    bucket.calls += 1;
    bucket.totalMs += event.durationMs;
    if (event.outcome !== 'success') bucket.errors += 1;
    this.#buckets.set(key, bucket);
    const oldest = key - this.options.bucketMs * this.options.buckets;
    for (const k of this.#buckets.keys()) if (k <= oldest) this.#buckets.delete(k);
  }

  recent(): readonly RecentCall[] {
    return this.#calls;
  }

  /** One point per bucket over the last `buckets` buckets, empty buckets included. */
  series(now = Date.now()): SeriesPoint[] {
    const { bucketMs, buckets } = this.options;
    const last = Math.floor(now / bucketMs) * bucketMs;
    const points: SeriesPoint[] = [];
    for (let at = last - bucketMs * (buckets - 1); at <= last; at += bucketMs) {
      const bucket = this.#buckets.get(at);
      points.push({
        at,
        calls: bucket?.calls ?? 0,
        errors: bucket?.errors ?? 0,
        avgMs: bucket ? Math.round(bucket.totalMs / bucket.calls) : 0,
      });
    }
    return points;
  }

  stop(): void {
    this.#unsubscribe();
  }
}
