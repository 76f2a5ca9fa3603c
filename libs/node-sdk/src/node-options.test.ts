import { describe, expect, it } from 'vitest';
import { NodeSdkErrorCode } from './errors.js';
import { defaultNodeId } from './node-identity.js';
import { resolveNodeOptions } from './node-options.js';

describe('node options', () => {
  it('fills documented defaults', () => {
    const o = resolveNodeOptions({ servers: 'nats://127.0.0.1:4222', nodeId: 'gpu-1' });
    expect(o).toMatchObject({
      nodeId: 'gpu-1',
      name: 'easyremote-node-gpu-1',
      maxConcurrency: 64,
      heartbeatMs: 2000,
      ttlMs: 6000,
      defaultTimeoutMs: 30_000,
      registryBucket: 'easyremote-registry',
      registryReplicas: 1,
    });
  });

  it('names the bad option', () => {
    const bad = (message: RegExp) =>
      expect.objectContaining({ code: NodeSdkErrorCode.InvalidOptions, message: expect.stringMatching(message) });
    expect(() => resolveNodeOptions({})).toThrow(bad(/servers/));
    expect(() => resolveNodeOptions({ servers: 'x', nodeId: 'a.b' })).toThrow(bad(/invalid nodeId "a.b"/));
    expect(() => resolveNodeOptions({ servers: 'x', maxConcurrency: 0 })).toThrow(bad(/maxConcurrency/));
    expect(() => resolveNodeOptions({ servers: 'x', heartbeatMs: 1000, ttlMs: 900 })).toThrow(bad(/ttlMs/));
    expect(() => resolveNodeOptions({ servers: 'x', labels: { gpu: 1 as never } })).toThrow(bad(/label "gpu"/));
    expect(() => resolveNodeOptions({ servers: 'x', registryReplicas: 0 })).toThrow(bad(/registryReplicas/));
    expect(() => resolveNodeOptions({ servers: 'x', memoryBytes: 0.5 })).toThrow(bad(/memoryBytes/));
  });

  it('keeps the operator memory override (undefined: the machine total is advertised)', () => {
    expect(resolveNodeOptions({ servers: 'x' }).memoryBytes).toBeUndefined();
    expect(resolveNodeOptions({ servers: 'x', memoryBytes: 8 * 1024 ** 3 }).memoryBytes).toBe(8 * 1024 ** 3);
  });

  it('derives valid, distinct node ids from host names', () => {
    const id = defaultNodeId('Build.Example.COM');
    expect(id).toMatch(/^build-example-com-[0-9a-f]{6}$/);
    expect(defaultNodeId('...')).toMatch(/^node-[0-9a-f]{6}$/);
    expect(defaultNodeId('h'.repeat(100))).toHaveLength(48 + 7);
    expect(defaultNodeId('h')).not.toBe(defaultNodeId('h'));
  });
});
