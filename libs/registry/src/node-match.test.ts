import type { NodeAdvert } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { placementMismatch } from './node-match.js';

const GIB = 1024 ** 3;

function advert(overrides: Partial<NodeAdvert['capabilities']> = {}, nodeId = 'n1'): NodeAdvert {
  return {
    version: 1,
    nodeId,
    instanceId: 'i',
    startedAt: 0,
    heartbeatAt: 0,
    ttlMs: 1000,
    tools: [],
    capabilities: {
      cpus: 8,
      memoryBytes: 16 * GIB,
      platform: 'linux',
      labels: { zone: 'eu' },
      gpus: [],
      models: ['llama3'],
      ...overrides,
    },
    load: { inFlight: 0, maxConcurrency: 4 },
  };
}

describe('placementMismatch', () => {
  it('checks GPUs, memory, CPUs, models and labels', () => {
    const cpu = advert();
    const gpu = advert({ gpus: [{ name: 'A100', memoryBytes: 80 * GIB }] });
    expect(placementMismatch(cpu, { gpu: true }, {}, undefined)).toBe('no GPU');
    expect(placementMismatch(gpu, { gpu: true }, {}, undefined)).toBeUndefined();
    expect(placementMismatch(gpu, { gpu: { count: 2 } }, {}, undefined)).toMatch(/fewer than 2/);
    expect(placementMismatch(gpu, { gpu: { memoryBytes: 40 * GIB } }, {}, undefined)).toBeUndefined();
    expect(placementMismatch(cpu, { memoryBytes: 32 * GIB }, {}, undefined)).toMatch(/memory/);
    expect(placementMismatch(cpu, { cpus: 16 }, {}, undefined)).toMatch(/cpus/);
    expect(placementMismatch(cpu, { model: 'mistral' }, {}, undefined)).toMatch(/mistral/);
    expect(placementMismatch(cpu, { modelArgument: 'model' }, { model: 'llama3' }, undefined)).toBeUndefined();
    expect(placementMismatch(cpu, { modelArgument: 'model' }, { model: 'mistral' }, undefined)).toMatch(/mistral/);
    expect(placementMismatch(cpu, { modelArgument: 'model' }, {}, undefined)).toBeUndefined();
    expect(placementMismatch(cpu, { labels: { zone: 'us' } }, {}, undefined)).toMatch(/zone=us/);
  });

  it('applies call constraints: node id and labels', () => {
    expect(placementMismatch(advert(), undefined, {}, { nodeId: 'n2' })).toBe('not the requested node');
    expect(placementMismatch(advert(), undefined, {}, { nodeId: 'n1', labels: { zone: 'eu' } })).toBeUndefined();
    expect(placementMismatch(advert(), undefined, {}, { labels: { tier: 'gold' } })).toMatch(/tier=gold/);
  });
});
