import type { NodeAdvert, ToolDescriptor } from '@easyremote/protocol';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';
import { LocalLoad } from './local-load.js';
import { Placer } from './placer.js';

function advert(nodeId: string, inFlight: number, gpus: NodeAdvert['capabilities']['gpus'] = []): NodeAdvert {
  return {
    version: 1,
    nodeId,
    instanceId: nodeId,
    startedAt: 0,
    heartbeatAt: 0,
    ttlMs: 1_000,
    tools: [],
    capabilities: {
      cpus: 4,
      memoryBytes: 1 << 30,
      platform: 'linux',
      labels: { zone: nodeId.startsWith('eu') ? 'eu' : 'us' },
      gpus,
    },
    load: { inFlight, maxConcurrency: 4 },
  };
}

// The view's read side only: the placer looks nodes up by id.
function registry(adverts: NodeAdvert[]): RegistryView {
  const byId = new Map(adverts.map((a) => [a.nodeId, { advert: a, lastSeen: 0 }]));
  return { node: (id: string) => byId.get(id) } as unknown as RegistryView;
}

function tool(providers: string[], descriptor: Partial<ToolDescriptor> = {}): ToolEntry {
  return { name: 'work', descriptor: { name: 'work', inputSchema: { type: 'object' }, ...descriptor }, providers };
}

describe('Placer', () => {
  const adverts = [advert('eu-1', 3), advert('eu-2', 0), advert('us-1', 1, [{ name: 'T4', memoryBytes: 16 << 30 }])];

  it('orders the matching nodes by the strategy and honours requirements and constraints', () => {
    const placer = new Placer(registry(adverts), new LocalLoad(), new CircuitBreakers(), 'least-loaded');
    const order = (plan: ReturnType<Placer['plan']>) =>
      plan.kind === 'nodes' ? plan.nodes.map((n) => n.nodeId) : plan.kind;
    expect(order(placer.plan(tool(['eu-1', 'eu-2', 'us-1']), {}, undefined, new Set()))).toEqual([
      'eu-2',
      'us-1',
      'eu-1',
    ]);
    expect(
      order(placer.plan(tool(['eu-1', 'eu-2', 'us-1'], { requirements: { gpu: true } }), {}, undefined, new Set())),
    ).toEqual(['us-1']);
    expect(
      order(placer.plan(tool(['eu-1', 'eu-2', 'us-1']), {}, { labels: { zone: 'eu' } }, new Set(['eu-2']))),
    ).toEqual(['eu-1']);
    expect(order(placer.plan(tool(['eu-1', 'eu-2']), {}, { strategy: 'queue' }, new Set()))).toBe('queue');
    // `queue` only when any node will do.
    expect(order(placer.plan(tool(['eu-1', 'eu-2']), {}, { strategy: 'queue', nodeId: 'eu-1' }, new Set()))).toEqual([
      'eu-1',
    ]);
  });

  it("honours the call's own requirements like the tool's, never through the queue group", () => {
    const placer = new Placer(registry(adverts), new LocalLoad(), new CircuitBreakers(), 'queue');
    const order = (plan: ReturnType<Placer['plan']>) =>
      plan.kind === 'nodes' ? plan.nodes.map((n) => n.nodeId) : plan;
    expect(order(placer.plan(tool(['eu-1', 'eu-2', 'us-1']), {}, { requirements: { gpu: true } }, new Set()))).toEqual([
      'us-1',
    ]);
    expect(
      order(placer.plan(tool(['eu-1', 'eu-2']), {}, { requirements: { memoryBytes: 2 ** 31 } }, new Set())),
    ).toEqual({
      kind: 'none',
      code: 'GW_ERR_NO_MATCHING_NODE',
      message:
        "No live node can run tool work: eu-1: memory 1073741824 < 2147483648 (the call's requirements); eu-2: memory 1073741824 < 2147483648 (the call's requirements)",
    });
  });

  it('explains why no node matches', () => {
    const placer = new Placer(registry(adverts), new LocalLoad(), new CircuitBreakers(), 'least-loaded');
    expect(placer.plan(tool(['eu-1', 'eu-2'], { requirements: { gpu: true } }), {}, undefined, new Set())).toEqual({
      kind: 'none',
      code: 'GW_ERR_NO_MATCHING_NODE',
      message: 'No live node can run tool work: eu-1: no GPU; eu-2: no GPU',
    });
  });

  it('skips nodes whose circuit is open, and says so when none is left', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 60_000 });
    const placer = new Placer(registry(adverts), new LocalLoad(), breakers, 'round-robin');
    breakers.failure('eu-2');
    const plan = placer.plan(tool(['eu-1', 'eu-2']), {}, undefined, new Set());
    expect(plan.kind === 'nodes' && plan.nodes.map((n) => n.nodeId)).toEqual(['eu-1']);
    breakers.failure('eu-1');
    expect(placer.plan(tool(['eu-1', 'eu-2']), {}, undefined, new Set())).toMatchObject({
      kind: 'none',
      code: 'GW_ERR_CIRCUIT_OPEN',
    });
  });
});
