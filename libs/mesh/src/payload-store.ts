import { jetstream } from '@nats-io/jetstream';
import { nanos, nuid, type NatsConnection } from '@nats-io/nats-core';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { PAYLOAD_BUCKET, silentLogger, type Logger } from '@easyremote/protocol';
import { MeshError, MeshErrorCode } from './errors.js';

/** Default hard limit of one offloaded body: larger arguments or results fail with a clear error. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** Object chunk size: well inside the 1 MiB default max_payload, with room for headers. */
const CHUNK_BYTES = 768 * 1024;

export interface PayloadStoreOptions {
  /** Object store bucket. Default `easyremote-payloads`. */
  bucket?: string;
  /** How long an unread body is kept (bucket TTL). Default 10 minutes. */
  ttlMs?: number;
  /** Largest body this process sends or accepts. Default 64 MiB. */
  maxBytes?: number;
  /** Stream replicas when the bucket is created. Default 1. */
  replicas?: number;
  /** JetStream domain of the hub, for processes attached to a leaf node. */
  domain?: string;
  logger?: Logger;
}

/**
 * Message bodies too large for one NATS message (max_payload, 1 MiB by default) go to a JetStream
 * object store; the message then carries only the `Er-Payload` header naming the object. The sender
 * puts, the receiver gets and deletes; the bucket TTL removes what nobody read. Created on first use
 * by whichever process opens it (create is idempotent; a differing config binds the existing bucket).
 */
export class PayloadStore {
  readonly maxBytes: number;
  readonly #store: ObjectStore;
  readonly #logger: Logger;

  private constructor(store: ObjectStore, maxBytes: number, logger: Logger) {
    this.#store = store;
    this.maxBytes = maxBytes;
    this.#logger = logger;
  }

  static async open(nc: NatsConnection, options: PayloadStoreOptions = {}): Promise<PayloadStore> {
    const bucket = options.bucket ?? PAYLOAD_BUCKET;
    const objm = new Objm(options.domain === undefined ? jetstream(nc) : jetstream(nc, { domain: options.domain }));
    let store: ObjectStore;
    try {
      store = await objm.create(bucket, { ttl: nanos(options.ttlMs ?? 600_000), replicas: options.replicas ?? 1 });
    } catch (error) {
      // Another process created it with other settings first: use theirs.
      store = await objm.open(bucket).catch(() => {
        throw new MeshError(
          MeshErrorCode.PayloadStoreUnavailable,
          `the payload object store ${bucket} is unavailable: ${(error as Error).message}`,
          { cause: error },
        );
      });
    }
    return new PayloadStore(store, options.maxBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, options.logger ?? silentLogger);
  }

  /** Stores a body and returns its name. Throws MESH_ERR_PAYLOAD_TOO_LARGE above `maxBytes`. */
  async put(data: Uint8Array, what: string): Promise<string> {
    if (data.length > this.maxBytes) throw tooLarge(what, data.length, this.maxBytes);
    const name = nuid.next();
    try {
      // Big chunks: far fewer acknowledged publishes than the 128 KiB default.
      await this.#store.putBlob({ name, options: { max_chunk_size: CHUNK_BYTES } }, data);
    } catch (error) {
      throw new MeshError(
        MeshErrorCode.PayloadStoreUnavailable,
        `could not store the ${data.length}-byte ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return name;
  }

  /** Reads a body and deletes it (each body has one reader). Refuses a size over `maxBytes` before reading. */
  async take(name: string, size: number | undefined, what: string): Promise<Uint8Array> {
    if (size !== undefined && size > this.maxBytes) {
      this.delete(name);
      throw tooLarge(what, size, this.maxBytes);
    }
    let data: Uint8Array | null;
    try {
      data = await this.#store.getBlob(name);
    } catch (error) {
      throw new MeshError(
        MeshErrorCode.PayloadStoreUnavailable,
        `could not read the ${what} from the payload store: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (data === null)
      throw new MeshError(MeshErrorCode.PayloadMissing, `the ${what} (${name}) is no longer in the payload store`);
    this.delete(name);
    return data;
  }

  /** Best effort: the TTL removes what a failed delete leaves. */
  delete(name: string): void {
    this.#store
      .delete(name)
      .catch((error: unknown) => this.#logger.debug({ err: error, name }, 'could not delete an offloaded payload'));
  }
}

export function tooLarge(what: string, size: number, limit: number): MeshError {
  return new MeshError(MeshErrorCode.PayloadTooLarge, `the ${what} is ${size} bytes, over the ${limit}-byte limit`, {
    data: { size, limit, hard: true },
  });
}
