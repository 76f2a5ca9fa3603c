import { describe, expect, it } from 'vitest';
import type { LoadEstimate } from './local-load.js';
import { orderNodes } from './placement-strategy.js';

const node = (nodeId: string, inFlight: number, capacity = 4, latencyMs?: number): LoadEstimate => ({ nodeId, inFlight, capacity, latencyMs, errorRate: 0 });
const ids = (nodes: LoadEstimate[]) => nodes.map((n) => n.nodeId);
const context = (turn = 0) => ({ turn, random: Math.random });

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
    expect([0, 1, 2, 3].map((turn) => orderNodes('round-robin', nodes, context(turn))[0]?.nodeId)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('latency-aware weighs latency by queue length', () => {
    const nodes = [node('slow', 0, 4, 100), node('fast-busy', 3, 4, 10), node('new', 0, 4)];
    // waits: slow 25, fast-busy 10, new (median latency 100 → wait 25) — fast-busy first
    expect(ids(orderNodes('latency-aware', nodes, context()))[0]).toBe('fast-busy');
  });

  it('random keeps every node', () => {
    const nodes = [node('a', 0), node('b', 0), node('c', 4)];
    const order = ids(orderNodes('random', nodes, context()));
    expect([...order].sort()).toEqual(['a', 'b', 'c']);
    expect(order[2]).toBe('c');
  });
});
