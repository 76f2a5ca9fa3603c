import type { PlacementStrategy } from '@easyremote/protocol';
import type { LoadEstimate } from './local-load.js';

/** The strategies that order candidate nodes (`queue` bypasses ordering: NATS picks). */
export type OrderingStrategy = Exclude<PlacementStrategy, 'queue'>;

export interface OrderingContext {
  /** Round-robin position for this tool; the caller increments it per call. */
  turn: number;
  random: () => number;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const isFull = (node: LoadEstimate): boolean => node.inFlight >= node.capacity;

/**
 * Orders candidate nodes best first. Nodes estimated to be full go last whatever the strategy (the
 * estimate may be stale, so they are still tried after the others). Ties are broken at random, so two
 * idle nodes share the work instead of the first one taking it all.
 * - least-loaded: lowest in-flight/capacity, then fewer in flight, then lower latency;
 * - latency-aware: lowest expected wait, latency × (in flight + 1) / capacity (unknown latency counts as
 *   the median of the known ones, so new nodes get tried);
 * - round-robin: rotates through the candidates (sorted by id) one step per call;
 * - random: uniform.
 */
export function orderNodes(
  strategy: OrderingStrategy,
  nodes: readonly LoadEstimate[],
  context: OrderingContext,
): LoadEstimate[] {
  if (nodes.length <= 1) return [...nodes];
  let ordered: LoadEstimate[];
  switch (strategy) {
    case 'round-robin': {
      const sorted = [...nodes].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
      const start = ((context.turn % sorted.length) + sorted.length) % sorted.length;
      ordered = [...sorted.slice(start), ...sorted.slice(0, start)];
      break;
    }
    case 'random':
      ordered = shuffle([...nodes], context.random);
      break;
    case 'latency-aware': {
      const known = nodes
        .map((n) => n.latencyMs)
        .filter((ms): ms is number => ms !== undefined)
        .sort((a, b) => a - b);
      const median = known.length === 0 ? 1 : (known[Math.floor(known.length / 2)] ?? 1);
      const wait = (n: LoadEstimate): number => ((n.latencyMs ?? median) * (n.inFlight + 1)) / n.capacity;
      ordered = shuffle([...nodes], context.random).sort((a, b) => wait(a) - wait(b));
      break;
    }
    case 'least-loaded':
      ordered = shuffle([...nodes], context.random).sort(
        (a, b) =>
          a.inFlight / a.capacity - b.inFlight / b.capacity ||
          a.inFlight - b.inFlight ||
          (a.latencyMs ?? 0) - (b.latencyMs ?? 0),
      );
      break;
  }
  return [...ordered.filter((n) => !isFull(n)), ...ordered.filter(isFull)];
}
