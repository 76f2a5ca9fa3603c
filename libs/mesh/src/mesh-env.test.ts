import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasNatsCredentials, meshOptionsFromEnv, natsClientOptionsFromEnv, natsServersFromEnv } from './mesh-env.js';

const EXISTING = fileURLToPath(import.meta.url);

describe('NATS settings from the environment', () => {
  it('reads credentials, TLS files and the inbox prefix the way the gateway does', () => {
    const options = natsClientOptionsFromEnv({
      NATS_USER: 'gateway',
      NATS_PASSWORD: ' s3cret ',
      NATS_CA: EXISTING,
      NATS_CERT: EXISTING,
      NATS_KEY: EXISTING,
      NATS_INBOX_PREFIX: '_INBOX_ops',
    });
    expect(options).toEqual({
      user: 'gateway',
      pass: 's3cret',
      tls: { caFile: EXISTING, certFile: EXISTING, keyFile: EXISTING },
      inboxPrefix: '_INBOX_ops',
    });
    expect(hasNatsCredentials(options)).toBe(true);
    expect(hasNatsCredentials(natsClientOptionsFromEnv({ NATS_CA: EXISTING }))).toBe(false);
    expect(natsClientOptionsFromEnv({ NATS_URL: 'nats://x:1', NATS_USER: '', NATS_PASSWORD: '' })).toEqual({});
  });

  it('refuses a half-set pair or a missing file with MESH_ERR_CONFIG naming the variable', () => {
    expect(() => natsClientOptionsFromEnv({ NATS_USER: 'gateway' })).toThrow(
      expect.objectContaining({
        code: 'MESH_ERR_CONFIG',
        message: expect.stringContaining('NATS_USER and NATS_PASSWORD'),
      }),
    );
    expect(() => natsClientOptionsFromEnv({ NATS_CERT: EXISTING })).toThrow(
      expect.objectContaining({ code: 'MESH_ERR_CONFIG', message: expect.stringContaining('NATS_CERT and NATS_KEY') }),
    );
    expect(() => natsClientOptionsFromEnv({ NATS_CA: '/no/such/ca.pem' })).toThrow(
      expect.objectContaining({ code: 'MESH_ERR_CONFIG', message: 'NATS_CA="/no/such/ca.pem": no such file' }),
    );
    expect(() => natsServersFromEnv({ NATS_URL: ' , ' })).toThrow(expect.objectContaining({ code: 'MESH_ERR_CONFIG' }));
  });

  it('builds connectMesh options: NATS_URL split, a flag overriding it, the local default', () => {
    expect(natsServersFromEnv({})).toEqual(['nats://127.0.0.1:4222']);
    expect(natsServersFromEnv({ NATS_URL: 'tls://a:4222, tls://b:4222' })).toEqual(['tls://a:4222', 'tls://b:4222']);
    expect(
      meshOptionsFromEnv(
        { NATS_URL: 'tls://a:4222', NATS_TOKEN: 't' },
        { name: 'easyremote-keys', servers: 'tls://flag:4222', maxStartupAttempts: 3 },
      ),
    ).toEqual({
      servers: ['tls://flag:4222'],
      name: 'easyremote-keys',
      maxStartupAttempts: 3,
      token: 't',
    });
  });
});
