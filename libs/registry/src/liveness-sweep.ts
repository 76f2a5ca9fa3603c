import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from '@easyremote/protocol';
import type { NodeEntry } from './tool-set.js';

/** What the sweep needs of the view it sweeps: the live nodes and the view's own ways to change them. */
export interface SweptView {
  readonly nodes: Map<string, NodeEntry>;
  /** The revision of the registry entry last applied for a node (0 when none). */
  appliedRevision(nodeId: string): number;
  /** Applies an entry read straight from the bucket, as a replayed one. */
  apply(entry: KvEntry): void;
  /** Drops an expired node; true when it was there. */
  expire(nodeId: string): boolean;
  /** Replays the bucket into the view (its watch may have missed puts). */
  repairWatch(): void;
}

export interface LivenessSweepOptions {
  kv: KV;
  logger: Logger;
  now: () => number;
  intervalMs: number;
  /** How long the sweep waits for the bucket to answer before it counts it as unavailable. */
  probeTimeoutMs: number;
}

/**
 * Drops nodes whose heartbeat is overdue, but only after ruling out that the silence is ours:
 * - while a cluster elects a new leader for the registry stream (seconds, after a member's loss) or
 *   this process is reconnecting, no heartbeat can land, so silence is no evidence that nodes died;
 * - the watch's consumer may have lived on a server that died, and the client only notices after
 *   missed idle heartbeats (10 s or more), so an overdue node's key is read before it is dropped.
 * Nodes that did die meanwhile still go: calls to them find no responders, and the sweep drops them
 * one TTL after the bucket answers again.
 */
export class LivenessSweep {
  readonly #timer: NodeJS.Timeout;
  #probing = false;
  #registryDown = false;

  constructor(
    private readonly view: SweptView,
    private readonly options: LivenessSweepOptions,
  ) {
    this.#timer = setInterval(() => this.#sweep(), options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    if (this.#probing || !this.#anyOverdue(this.options.now())) return;
    this.#probing = true;
    void this.#judgeOverdue()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'registry sweep failed; retrying at the next one'),
      )
      .finally(() => {
        this.#probing = false;
      });
  }

  async #judgeOverdue(): Promise<void> {
    const { logger, now: clock, kv } = this.options;
    const nodes = this.view.nodes;
    if (!(await this.#registryAnswers())) {
      if (!this.#registryDown)
        logger.warn({}, 'registry bucket not answering; keeping nodes whose heartbeats are overdue');
      this.#registryDown = true;
      this.#touchAll(clock());
      return;
    }
    if (this.#registryDown) {
      // Heartbeats could not land while the bucket was down: every node gets one TTL from now, and the
      // watch is replayed in case its consumer went down with it.
      this.#registryDown = false;
      logger.info({}, 'registry bucket answering again');
      this.#touchAll(clock());
      this.view.repairWatch();
      return;
    }
    const now = clock();
    const overdue = [...nodes]
      .filter(([, entry]) => now - entry.lastSeen > entry.advert.ttlMs)
      .map(([nodeId]) => nodeId);
    const latest = await Promise.all(overdue.map((nodeId) => kv.get(nodeId).catch(() => 'unreadable' as const)));
    let missed = 0;
    overdue.forEach((nodeId, i) => {
      const entry = latest[i];
      if (entry === 'unreadable') return; // judged again at the next sweep
      if (entry && entry.operation === 'PUT' && entry.revision > this.view.appliedRevision(nodeId)) {
        // The node kept beating and our watch missed it: it counts as seen when it last wrote.
        missed++;
        this.view.apply(entry);
        const seen = nodes.get(nodeId);
        if (seen !== undefined && clock() - seen.lastSeen <= seen.advert.ttlMs) return;
      }
      const silentForMs = now - (nodes.get(nodeId)?.lastSeen ?? now);
      if (this.view.expire(nodeId)) logger.info({ nodeId, silentForMs }, 'node expired (no heartbeat)');
    });
    if (missed > 0) {
      logger.warn({ missed }, 'registry watch missed heartbeats; replaying the bucket');
      this.view.repairWatch();
    }
  }

  /** Counts every node as seen at `at`: each gets one more TTL to heartbeat. */
  #touchAll(at: number): void {
    const nodes = this.view.nodes;
    for (const [nodeId, entry] of nodes) {
      if (entry.lastSeen < at) nodes.set(nodeId, { ...entry, lastSeen: at });
    }
  }

  #anyOverdue(now: number): boolean {
    for (const entry of this.view.nodes.values()) if (now - entry.lastSeen > entry.advert.ttlMs) return true;
    return false;
  }

  /** True when the bucket's stream answers a status request (it needs the stream leader, as puts do). */
  async #registryAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.probeTimeoutMs);
    });
    try {
      return await Promise.race([
        this.options.kv.status().then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
