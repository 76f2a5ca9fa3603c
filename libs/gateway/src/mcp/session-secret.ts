import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';

const BUCKET = 'easyremote-gateway';
const KEY = 'session-secret';

/**
 * The secret every gateway replica derives its session key from. An operator may set it
 * (EASYREMOTE_SESSION_SECRET); otherwise the first replica to start creates a random one in NATS KV
 * and every other replica reads that same value, so session ids work on any replica with no
 * configuration. `create` only succeeds when the key does not exist, which settles races.
 */
export async function loadSessionSecret(nc: NatsConnection, configured: string, replicas = 1): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const kv = await new Kvm(nc).create(BUCKET, { history: 1, replicas });
  const existing = await kv.get(KEY);
  if (existing?.value.length) return existing.value;
  try {
    const secret = randomBytes(32);
    await kv.create(KEY, secret);
    return secret;
  } catch {
    const winner = await kv.get(KEY);
    if (!winner?.value.length) throw new Error('could not agree on a session secret through NATS KV');
    return winner.value;
  }
}
