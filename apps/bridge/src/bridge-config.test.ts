import { describe, expect, it } from 'vitest';
import { loadBridgeConfig } from './bridge-config.js';

describe('loadBridgeConfig', () => {
  it('accepts the gateway base URL or its /mcp endpoint', () => {
    expect(loadBridgeConfig({ EASYREMOTE_GATEWAY: 'http://localhost:8080' }).mcpUrl.href).toBe(
      'http://localhost:8080/mcp',
    );
    expect(loadBridgeConfig({ EASYREMOTE_GATEWAY: 'http://localhost:8080/mcp/' }).mcpUrl.href).toBe(
      'http://localhost:8080/mcp',
    );
    expect(
      loadBridgeConfig({ EASYREMOTE_GATEWAY: 'https://gw.example/base', EASYREMOTE_API_KEY: ' k ' }),
    ).toMatchObject({ apiKey: 'k' });
  });

  it('says what is wrong', () => {
    expect(() => loadBridgeConfig({})).toThrow(/EASYREMOTE_GATEWAY is not set/);
    expect(() => loadBridgeConfig({ EASYREMOTE_GATEWAY: 'not a url' })).toThrow(/is not a URL/);
    expect(() => loadBridgeConfig({ EASYREMOTE_GATEWAY: 'ftp://x' })).toThrow(/http\(s\)/);
  });
});
