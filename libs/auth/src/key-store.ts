import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { generateApiKey } from './api-key.js';
import { AuthError, AuthErrorCode, describeError } from './errors.js';

/** Default KV bucket holding API key records (hashes only). */
export const KEYS_BUCKET = 'easyremote-keys';

/** What the bucket holds per key, under the key id. Never the key itself. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  /** SHA-256 (hex) of the key's secret part. */
  secretHash: string;
  createdAt: string;
  /** Set when revoked; the record stays so `keys list` can show it. */
  revokedAt?: string;
}

export interface KeyStoreOptions {
  bucket?: string;
  replicas?: number;
}

/** Opens (creating when missing) the bucket of API key records. */
export async function openKeyBucket(nc: NatsConnection, options: KeyStoreOptions = {}): Promise<KV> {
  try {
    return await new Kvm(nc).create(options.bucket ?? KEYS_BUCKET, { history: 5, replicas: options.replicas ?? 1 });
  } catch (error) {
    throw new AuthError(AuthErrorCode.StoreFailed, `cannot open the API key bucket: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Creates, lists and revokes API keys (the CLI's `keys` commands and `easyremote dev`). */
export class KeyStore {
  constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, options: KeyStoreOptions = {}): Promise<KeyStore> {
    return new KeyStore(await openKeyBucket(nc, options));
  }

  /** Stores a new key's hash and returns the record with the key — the only time the key exists in clear. */
  async create(name: string, scopes: readonly string[]): Promise<{ key: string; record: ApiKeyRecord }> {
    const { id, key, secretHash } = generateApiKey();
    const record: ApiKeyRecord = {
      id,
      name,
      scopes: [...new Set(scopes)],
      secretHash,
      createdAt: new Date().toISOString(),
    };
    await this.kv.create(id, JSON.stringify(record));
    return { key, record };
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    for await (const id of await this.kv.keys()) {
      const entry = await this.kv.get(id);
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) records.push(entry.json<ApiKeyRecord>());
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Marks the key revoked; every gateway's watch drops it within milliseconds. */
  async revoke(id: string): Promise<ApiKeyRecord> {
    const entry = /^[0-9a-f]{16}$/.test(id) ? await this.kv.get(id) : null;
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0)
      throw new AuthError(AuthErrorCode.KeyNotFound, `no API key with id ${id}`);
    const record = { ...entry.json<ApiKeyRecord>(), revokedAt: new Date().toISOString() };
    await this.kv.update(id, JSON.stringify(record), entry.revision);
    return record;
  }
}
