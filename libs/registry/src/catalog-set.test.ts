import type { NodeAdvert } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { buildCatalog, catalogFingerprint } from './catalog-set.js';
import type { NodeEntry } from './tool-set.js';

function node(nodeId: string, extra: Partial<NodeAdvert>): NodeEntry {
  const advert: NodeAdvert = {
    version: 1,
    nodeId,
    instanceId: 'i',
    startedAt: 0,
    heartbeatAt: 0,
    ttlMs: 1000,
    tools: [],
    capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
    load: { inFlight: 0, maxConcurrency: 1 },
    ...extra,
  };
  return { advert, lastSeen: 0 };
}

describe('buildCatalog', () => {
  it('indexes resources, templates and prompts with sorted providers; the smallest node id wins a disagreement', () => {
    const nodes = new Map([
      ['b', node('b', { resources: [{ uri: 'test://x', name: 'from-b' }], prompts: [{ name: 'p' }] })],
      [
        'a',
        node('a', {
          resources: [
            { uri: 'test://x', name: 'from-a' },
            { uri: 'test://a', name: 'only-a' },
          ],
        }),
      ],
      ['c', node('c', { resourceTemplates: [{ uriTemplate: 'test://t/{id}', name: 't' }] })],
    ]);
    const catalog = buildCatalog(nodes);
    expect(catalog.resources.list.map((entry) => entry.key)).toEqual(['test://a', 'test://x']);
    expect(catalog.resources.byKey.get('test://x')).toMatchObject({
      descriptor: { name: 'from-a' },
      providers: ['a', 'b'],
    });
    expect(catalog.resourceTemplates.byKey.get('test://t/{id}')?.providers).toEqual(['c']);
    expect(catalog.prompts.list.map((entry) => entry.key)).toEqual(['p']);
  });

  it('fingerprints only the non-tool catalog', () => {
    const a = node('a', { resources: [{ uri: 'test://x', name: 'x' }] }).advert;
    expect(catalogFingerprint(a)).toBe(catalogFingerprint({ ...a, load: { inFlight: 5, maxConcurrency: 9 } }));
    expect(catalogFingerprint(a)).not.toBe(catalogFingerprint({ ...a, prompts: [{ name: 'p' }] }));
  });
});
