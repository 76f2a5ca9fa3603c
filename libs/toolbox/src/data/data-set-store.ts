import { connectMesh } from '@easyremote/mesh';
import { DATA_BUCKET } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm, type ObjectInfo, type ObjectStore } from '@nats-io/obj';
import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { DataSetCache } from './data-set-cache.js';

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface StoredBytes {
  readonly bytes: Buffer;
  /** Size of the whole object. */
  readonly size: number;
  readonly contentType: string | undefined;
}

/** Where `easyremote://data/<id>` data sets are read from. */
export interface DataSetStore {
  /** The object's bytes (only `range` when given), or undefined when there is no such data set. */
  read(
    id: string,
    range: ByteRange | undefined,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<StoredBytes | undefined>;
  close(): Promise<void>;
}

function tooLarge(id: string, size: number, maxBytes: number): ToolError {
  return new ToolError(
    ToolboxErrorCode.DatasetTooLarge,
    `data set ${id} is ${size} bytes; this node reads at most ${maxBytes}`,
  );
}

/** Streams an object from the bucket, keeping only `range`, and stops once it is complete. */
export async function readObject(
  store: ObjectStore,
  id: string,
  range: ByteRange | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<StoredBytes | undefined> {
  const object = await store.get(id);
  if (object === null) return undefined;
  const size = object.info.size;
  const wanted = range ?? { start: 0, end: size };
  if (wanted.end - wanted.start > maxBytes) {
    await object.data.cancel();
    throw tooLarge(id, size, maxBytes);
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  const reader = object.data.getReader();
  try {
    while (offset < wanted.end) {
      signal.throwIfAborted();
      const { value, done } = await reader.read();
      if (done) break;
      const chunkStart = offset;
      offset += value.length;
      if (offset <= wanted.start) continue;
      parts.push(
        value.subarray(Math.max(0, wanted.start - chunkStart), Math.min(value.length, wanted.end - chunkStart)),
      );
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { bytes: Buffer.concat(parts), size, contentType: contentTypeOf(object.info) };
}

function contentTypeOf(info: ObjectInfo): string | undefined {
  return info.headers?.get('Content-Type') || undefined;
}

// A shared load is not tied to the first chunk's signal: other chunks wait for it too.
const READ_TIMEOUT_MS = 120_000;

/**
 * The mesh's data-set bucket, reached over its own NATS connection: tools get no connection from
 * the node, so the toolbox opens one (to NATS_URL) on the first `easyremote://data/` read. Each
 * version of a data set is read once per node and cached for the chunks that follow (DataSetCache).
 */
export class NatsDataSetStore implements DataSetStore {
  readonly #servers: readonly string[];
  readonly #cache = new DataSetCache();
  #store: Promise<{ nc: NatsConnection; store: ObjectStore }> | undefined;

  constructor(servers: readonly string[]) {
    this.#servers = servers;
  }

  #open(): Promise<{ nc: NatsConnection; store: ObjectStore }> {
    this.#store ??= (async () => {
      const nc = await connectMesh({
        servers: [...this.#servers],
        name: 'easyremote-toolbox-data',
        maxStartupAttempts: 3,
      });
      try {
        return { nc, store: await new Objm(nc).open(DATA_BUCKET) };
      } catch (error) {
        await nc.close();
        throw error;
      }
    })();
    const opened = this.#store;
    // A failed open is retried by the next read instead of failing every read for good.
    opened.catch(() => {
      if (this.#store === opened) this.#store = undefined;
    });
    return opened;
  }

  async read(
    id: string,
    range: ByteRange | undefined,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<StoredBytes | undefined> {
    let store: ObjectStore;
    try {
      ({ store } = await this.#open());
    } catch (error) {
      const message = (error as Error).message;
      if (/stream not found|not found/i.test(message)) return undefined; // no data set was ever uploaded
      throw new ToolError(ToolboxErrorCode.DatasetUnreadable, `the mesh's data-set store is unreachable: ${message}`);
    }
    try {
      const info = await store.info(id);
      if (info === null || info.deleted) return undefined;
      const contentType = contentTypeOf(info);
      if (info.size > maxBytes) {
        // Too large to hold: stream just the range (or refuse the whole).
        if (range === undefined) throw tooLarge(id, info.size, maxBytes);
        return await readObject(store, id, range, maxBytes, signal);
      }
      // nuid changes with every put, so a replaced data set is never served from the cache.
      const whole = await this.#cache.get(`${id}\u0000${info.nuid}`, async () => {
        const read = await readObject(store, id, undefined, maxBytes, AbortSignal.timeout(READ_TIMEOUT_MS));
        if (read === undefined || read.size !== info.size)
          throw new ToolError(ToolboxErrorCode.DatasetChanged, `data set ${id} changed while it was read`);
        return read.bytes;
      });
      signal.throwIfAborted();
      return {
        bytes: range === undefined ? whole : whole.subarray(range.start, range.end),
        size: info.size,
        contentType,
      };
    } catch (error) {
      if (error instanceof ToolError || signal.aborted) throw error;
      throw new ToolError(
        ToolboxErrorCode.DatasetUnreadable,
        `reading data set ${id} failed: ${(error as Error).message}`,
      );
    }
  }

  async close(): Promise<void> {
    this.#cache.clear();
    const opened = this.#store;
    this.#store = undefined;
    if (opened) await (await opened.catch(() => undefined))?.nc.close();
  }
}

/** For nodes without NATS_URL: every data-set read fails with a clear reason. */
export const noDataSetStore: DataSetStore = {
  read: () =>
    Promise.reject(
      new ToolError(
        ToolboxErrorCode.DatasetUnreadable,
        'this node has no NATS_URL, so it cannot read easyremote://data/ data sets',
      ),
    ),
  close: () => Promise.resolve(),
};
