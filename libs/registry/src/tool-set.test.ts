import { describe, expect, it } from 'vitest';
import type { NodeAdvert, ToolDescriptor } from '@easyremote/protocol';
import { buildToolSet } from './entitlement/resolve-tools.js';
import { toolsFingerprint, type NodeEntry } from './tool-set.js';

function tool(name: string, description = `${name} tool`): ToolDescriptor {
  return { name, description, inputSchema: { type: 'object' } };
}

function entry(nodeId: string, tools: ToolDescriptor[]): [string, NodeEntry] {
  const advert: NodeAdvert = {
    version: 1,
    nodeId,
    instanceId: `${nodeId}-1`,
    startedAt: 0,
    heartbeatAt: 0,
    ttlMs: 1_000,
    tools,
    capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
    load: { inFlight: 0, maxConcurrency: 1 },
  };
  return [nodeId, { advert, lastSeen: 0 }];
}

describe('buildToolSet', () => {
  it('is empty for no nodes', () => {
    const set = buildToolSet(new Map());
    expect(set.list).toEqual([]);
    expect(set.byName.size).toBe(0);
  });

  it('lists tools sorted by name with sorted providers, one entry per name', () => {
    const set = buildToolSet(
      new Map([entry('node-b', [tool('zeta'), tool('alpha')]), entry('node-a', [tool('alpha'), tool('Beta')])]),
    );
    expect(set.list.map((t) => t.name)).toEqual(['Beta', 'alpha', 'zeta']); // code-unit order: upper case first
    expect(set.byName.get('alpha')?.providers).toEqual(['node-a', 'node-b']);
    expect(set.byName.get('zeta')?.providers).toEqual(['node-b']);
    expect(set.byName.get('alpha')).toBe(set.list[1]);
  });

  it('never picks one of several disagreeing descriptors by node id: without an approved one the tool is not listed', () => {
    const one = buildToolSet(
      new Map([
        entry('n2', [tool('x', 'from n2')]),
        entry('n10', [tool('x', 'from n10')]),
        entry('n1', [tool('x', 'from n1')]),
      ]),
    );
    const two = buildToolSet(
      new Map([
        entry('n1', [tool('x', 'from n1')]),
        entry('n2', [tool('x', 'from n2')]),
        entry('n10', [tool('x', 'from n10')]),
      ]),
    );
    expect(one.byName.get('x')).toBeUndefined();
    expect(one.conflicts.map((c) => [c.nodeId, c.reason])).toEqual([
      ['n1', 'unapproved'],
      ['n10', 'unapproved'],
      ['n2', 'unapproved'],
    ]);
    expect(two.conflicts).toEqual(one.conflicts);
  });

  it('counts a node once when it lists a name twice (its first descriptor wins)', () => {
    const set = buildToolSet(new Map([entry('a', [tool('x', 'first'), tool('x', 'second')])]));
    expect(set.byName.get('x')?.providers).toEqual(['a']);
    expect(set.byName.get('x')?.descriptor.description).toBe('first');
  });

  it('returns frozen results, safe to share between requests', () => {
    const set = buildToolSet(new Map([entry('a', [tool('x')])]));
    expect(Object.isFrozen(set.list)).toBe(true);
    expect(Object.isFrozen(set.list[0])).toBe(true);
    expect(Object.isFrozen(set.list[0]?.providers)).toBe(true);
  });

  it('builds 1,000 nodes x 10 tools quickly', () => {
    const nodes = new Map(
      Array.from({ length: 1_000 }, (_, n) =>
        entry(
          `node-${n}`,
          Array.from({ length: 10 }, (_, t) => tool(`tool-${(n + t) % 50}`)),
        ),
      ),
    );
    const started = performance.now();
    const set = buildToolSet(nodes);
    expect(performance.now() - started).toBeLessThan(2_000); // linear, not quadratic, on any machine
    expect(set.list).toHaveLength(50);
    expect(set.byName.get('tool-0')?.providers).toHaveLength(200);
  });
});

describe('toolsFingerprint', () => {
  it('is equal for equal tools and differs when a descriptor changes', () => {
    expect(toolsFingerprint([tool('a')])).toBe(toolsFingerprint([tool('a')]));
    expect(toolsFingerprint([tool('a')])).not.toBe(toolsFingerprint([tool('a', 'changed')]));
  });
});
