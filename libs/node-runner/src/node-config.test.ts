import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from './node-config.js';

describe('loadNodeConfig: EASYREMOTE_NODE_MEMORY', () => {
  it('is unset by default (the node advertises the machine total)', () => {
    expect(loadNodeConfig({}).memoryBytes).toBeUndefined();
  });

  it('accepts bytes and 8GiB-style sizes', () => {
    expect(loadNodeConfig({ EASYREMOTE_NODE_MEMORY: '8GiB' }).memoryBytes).toBe(8 * 1024 ** 3);
    expect(loadNodeConfig({ EASYREMOTE_NODE_MEMORY: '16GB' }).memoryBytes).toBe(16e9);
    expect(loadNodeConfig({ EASYREMOTE_NODE_MEMORY: '1048576' }).memoryBytes).toBe(1048576);
  });

  it('refuses a bad value at start, naming the variable, alongside other bad variables', () => {
    expect(() => loadNodeConfig({ EASYREMOTE_NODE_MEMORY: 'lots' })).toThrow(
      /EASYREMOTE_NODE_MEMORY="lots": invalid size "lots"/,
    );
    expect(() => loadNodeConfig({ EASYREMOTE_NODE_MEMORY: '0' })).toThrow(/EASYREMOTE_NODE_MEMORY="0"/);
    expect(() => loadNodeConfig({ EASYREMOTE_NODE_MEMORY: 'x', EASYREMOTE_MAX_CONCURRENCY: 'y' })).toThrow(
      /EASYREMOTE_NODE_MEMORY[\s\S]*EASYREMOTE_MAX_CONCURRENCY/,
    );
  });
});

describe('loadNodeConfig: errors', () => {
  it('fails with NODE_SDK_ERR_INVALID_OPTIONS (not a gateway code), naming the variable', () => {
    expect(() => loadNodeConfig({ EASYREMOTE_HEARTBEAT_MS: '5' })).toThrow(
      expect.objectContaining({
        code: 'NODE_SDK_ERR_INVALID_OPTIONS',
        message: expect.stringContaining('EASYREMOTE_HEARTBEAT_MS="5"'),
      }),
    );
  });

  it('reads labels, models and an empty metrics port as unset', () => {
    const config = loadNodeConfig({
      EASYREMOTE_NODE_LABELS: 'zone=eu,tier=gpu',
      EASYREMOTE_NODE_MODELS: 'a, b',
      EASYREMOTE_METRICS_PORT: '',
    });
    expect(config.labels).toEqual({ zone: 'eu', tier: 'gpu' });
    expect(config.models).toEqual(['a', 'b']);
    expect(config.metricsPort).toBeUndefined();
  });
});
