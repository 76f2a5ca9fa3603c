import { describe, expect, it } from 'vitest';
import type { LoadEstimate } from './local-load.js';
import { orderNodes } from './placement-strategy.js';

const node = (nodeId: string, inFlight: number, capacity = 4, latencyMs?: number): LoadEstimate => ({
  nodeId,
  inFlight,
  capacity,
  latencyMs,
  errorRate: 0,
});
const ids = (nodes: LoadEstimate[]) => nodes.map((n) => n.nodeId);
/** mulberry32: a small seeded source, so the random strategy's tests are repeatable. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const context = (turn = 0) => ({ turn, random: seeded(1) });

describe('orderNodes', () => {
  it('least-loaded prefers the lowest share of capacity, full nodes last', () => {
    const nodes = [node('a', 3), node('b', 1), node('c', 2, 16), node('d', 4)];
    expect(ids(orderNodes('least-loaded', nodes, context()))).toEqual(['c', 'b', 'a', 'd']);
  });

  it('least-loaded breaks ties on latency', () => {
    expect(ids(orderNodes('least-loaded', [node('a', 0, 4, 50), node('b', 0, 4, 5)], context()))).toEqual(['b', 'a']);
  });

  it('round-robin rotates in node-id order', () => {
    const nodes = [node('c', 0), node('a', 0), node('b', 0)];
    expect([0, 1, 2, 3].map((turn) => orderNodes('round-robin', nodes, context(turn))[0]?.nodeId)).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('latency-aware weighs latency by queue length', () => {
    const nodes = [node('slow', 0, 4, 100), node('fast-busy', 3, 4, 10), node('new', 0, 4)];
    // waits: slow 25, fast-busy 10, new (median latency 100 → wait 25) — fast-busy first
    expect(ids(orderNodes('latency-aware', nodes, context()))[0]).toBe('fast-busy');
  });

  it('random keeps every node, full ones last, and is uniform over the others (seeded source)', () => {
    const nodes = [node('a', 0), node('b', 0), node('c', 0), node('full', 4)];
    const random = seeded(42);
    const first: Record<string, number> = {};
    for (let i = 0; i < 3_000; i++) {
      const order = ids(orderNodes('random', nodes, { turn: i, random }));
      expect([...order].sort()).toEqual(['a', 'b', 'c', 'full']);
      expect(order[3]).toBe('full');
      first[order[0]!] = (first[order[0]!] ?? 0) + 1;
    }
    // 1000 each when uniform; a fixed or biased order puts one node far from it.
    for (const id of ['a', 'b', 'c']) expect(first[id], id).toBeGreaterThan(850);
    // The order comes from the source alone: the same seed, the same order.
    expect(ids(orderNodes('random', nodes, { turn: 0, random: seeded(7) }))).toEqual(
      ids(orderNodes('random', nodes, { turn: 5, random: seeded(7) })),
    );
  });
});
