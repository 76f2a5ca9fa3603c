import type { NodeAdvert } from '@easyremote/protocol';

/** Weight of the newest sample in the gateway's own latency average per node. */
const ALPHA = 0.2;

/**
 * How old a heartbeat may be when it arrives: calls of ours that ended this recently may still be
 * counted in its in-flight figure, and must not be mistaken for other callers' load.
 */
const BEAT_LAG_MS = 100;

interface NodeCounters {
  inFlight: number;
  /** This gateway's in-flight count when the node's last heartbeat arrived (it is inside advert.load.inFlight). */
  inFlightAtBeat: number;
  latencyEwmaMs: number | undefined;
  /** When our most recent calls to the node ended (a small ring), to discount them from a late heartbeat. */
  readonly ended: number[];
}

/** What the placement strategies know about one node right now. */
export interface LoadEstimate {
  readonly nodeId: string;
  /** Calls running there: this gateway's own, plus the other callers' share of the last heartbeat. */
  readonly inFlight: number;
  readonly capacity: number;
  /** This gateway's latency average for the node, else the node's own; undefined before any call. */
  readonly latencyMs: number | undefined;
  readonly errorRate: number;
}

/**
 * The gateway's live knowledge of node load. Adverts are up to a heartbeat old, so the gateway adds
 * its own in-flight counts per node: estimate = own in-flight now + (advertised in-flight − own
 * in-flight when that heartbeat was taken), i.e. the other gateways' calls as of the last beat.
 */
export class LocalLoad {
  readonly #nodes = new Map<string, NodeCounters>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #counters(nodeId: string): NodeCounters {
    let counters = this.#nodes.get(nodeId);
    if (counters === undefined) {
      counters = { inFlight: 0, inFlightAtBeat: 0, latencyEwmaMs: undefined, ended: [] };
      this.#nodes.set(nodeId, counters);
    }
    return counters;
  }

  begin(nodeId: string): void {
    this.#counters(nodeId).inFlight++;
  }

  /** A call ended; `latencyMs` is given when the node answered (a decline or a loss is not a latency sample). */
  end(nodeId: string, latencyMs: number | undefined): void {
    const counters = this.#counters(nodeId);
    counters.inFlight = Math.max(0, counters.inFlight - 1);
    counters.ended.push(this.#now());
    if (counters.ended.length > 16) counters.ended.shift();
    if (latencyMs !== undefined) {
      counters.latencyEwmaMs =
        counters.latencyEwmaMs === undefined
          ? latencyMs
          : counters.latencyEwmaMs + ALPHA * (latencyMs - counters.latencyEwmaMs);
    }
  }

  /**
   * A heartbeat from the node arrived: remember how much of its in-flight count may be ours — what
   * runs now, plus what ended in the last BEAT_LAG_MS (still running when the node took the beat).
   */
  beat(nodeId: string): void {
    const counters = this.#nodes.get(nodeId);
    if (counters === undefined) return;
    const since = this.#now() - BEAT_LAG_MS;
    counters.inFlightAtBeat = counters.inFlight + counters.ended.filter((at) => at >= since).length;
  }

  inFlight(nodeId: string): number {
    return this.#nodes.get(nodeId)?.inFlight ?? 0;
  }

  forget(nodeId: string): void {
    const counters = this.#nodes.get(nodeId);
    if (counters !== undefined && counters.inFlight === 0) this.#nodes.delete(nodeId);
  }

  estimate(advert: NodeAdvert): LoadEstimate {
    const counters = this.#nodes.get(advert.nodeId);
    const own = counters?.inFlight ?? 0;
    const others = Math.max(0, advert.load.inFlight - (counters?.inFlightAtBeat ?? 0));
    return {
      nodeId: advert.nodeId,
      inFlight: own + others,
      capacity: advert.load.maxConcurrency,
      latencyMs: counters?.latencyEwmaMs ?? advert.load.latencyEwmaMs,
      errorRate: advert.load.errorRate ?? 0,
    };
  }
}
