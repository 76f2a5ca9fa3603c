import { WireErrorCode, type CallResponse, type NodeLoad } from '@easyremote/protocol';

/** Weight of the newest sample in the moving averages (about the last 10 calls dominate). */
const ALPHA = 0.2;

/** Failures that say nothing about the node's health: the caller's mistake or choice. */
const NOT_NODE_FAILURES = new Set<string>([
  WireErrorCode.InvalidArguments,
  WireErrorCode.BadRequest,
  WireErrorCode.Cancelled,
  WireErrorCode.ToolNotFound,
]);

/** The live load a node advertises with every heartbeat: latency and error-rate EWMAs and counters. */
export class LoadStats {
  #latencyEwmaMs: number | undefined;
  #errorRate = 0;
  #completed = 0;
  #declined = 0;

  /** One finished tool call: its duration and outcome. */
  record(durationMs: number, response: CallResponse): void {
    this.#completed++;
    this.#latencyEwmaMs =
      this.#latencyEwmaMs === undefined ? durationMs : this.#latencyEwmaMs + ALPHA * (durationMs - this.#latencyEwmaMs);
    const failed = !response.ok && !NOT_NODE_FAILURES.has(response.error.code) ? 1 : 0;
    this.#errorRate += ALPHA * (failed - this.#errorRate);
  }

  /** A call declined at the concurrency limit. */
  decline(): void {
    this.#declined++;
  }

  snapshot(inFlight: number, maxConcurrency: number): NodeLoad {
    return {
      inFlight,
      maxConcurrency,
      ...(this.#latencyEwmaMs === undefined ? {} : { latencyEwmaMs: Math.round(this.#latencyEwmaMs * 100) / 100 }),
      errorRate: Math.round(this.#errorRate * 1000) / 1000,
      completed: this.#completed,
      declined: this.#declined,
    };
  }
}
