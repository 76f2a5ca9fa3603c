import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';

describe('loadGatewayConfig', () => {
  it('fills defaults and returns a frozen object', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      host: '127.0.0.1',
      port: 8080,
      callTimeoutMs: 30_000,
      allowedHosts: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the environment', () => {
    const config = loadGatewayConfig({
      NATS_URL: 'nats://10.0.0.1:4222',
      PORT: '9000',
      EASYREMOTE_ALLOWED_HOSTS: 'a.example, b.example',
    });
    expect(config.natsUrl).toBe('nats://10.0.0.1:4222');
    expect(config.port).toBe(9000);
    expect(config.allowedHosts).toEqual(['a.example', 'b.example']);
  });

  it('reads the bucket replicas for a cluster (1 by default, at most 5)', () => {
    expect(loadGatewayConfig({}).kvReplicas).toBe(1);
    expect(loadGatewayConfig({ EASYREMOTE_KV_REPLICAS: '3' }).kvReplicas).toBe(3);
    expect(() => loadGatewayConfig({ EASYREMOTE_KV_REPLICAS: '7' })).toThrow(/EASYREMOTE_KV_REPLICAS="7"/);
  });

  it('names every bad variable', () => {
    expect(() => loadGatewayConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(
      /PORT="eighty"[\s\S]*LOG_LEVEL="loud"/,
    );
    expect(() => loadGatewayConfig({ PORT: '70000' })).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CONFIG', message: expect.stringContaining('PORT="70000"') }),
    );
  });
});
