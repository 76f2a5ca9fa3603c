import { DATA_BUCKET, type Logger } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm, type ObjectInfo, type ObjectStore } from '@nats-io/obj';

export interface DataSet {
  id: string;
  size: number;
  mimeType: string;
  description: string;
  lastUpdated: string;
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  csv: 'text/csv',
  jsonl: 'application/jsonl',
  json: 'application/json',
  txt: 'text/plain',
};

/** Watch entries carry headers as a plain record; ObjectInfo from `info()` as MsgHdrs. Read either. */
function contentTypeOf(headers: unknown): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function')
    return (headers as { get(name: string): string }).get('Content-Type') || undefined;
  const value = (headers as Record<string, unknown>)['Content-Type'];
  return Array.isArray(value) && typeof value[0] === 'string'
    ? value[0]
    : typeof value === 'string'
      ? value
      : undefined;
}

function toDataSet(info: ObjectInfo): DataSet {
  const extension = info.name.split('.').pop() ?? '';
  return {
    id: info.name,
    size: info.size,
    mimeType: contentTypeOf(info.headers) || MIME_BY_EXTENSION[extension] || 'application/octet-stream',
    description: info.description ?? '',
    lastUpdated: info.mtime,
  };
}

/**
 * The data sets uploaded into the mesh's object store, listed as `easyremote://data/<id>`. The list is
 * kept in memory from a watch of the bucket (no object-store read per `resources/list`); reading a
 * data set streams it from the object store.
 */
export class DataSets {
  readonly #sets = new Map<string, DataSet>();
  #store: ObjectStore | undefined;
  #stopWatch: (() => void) | undefined;
  #listeners = new Set<() => void>();

  static async open(nc: NatsConnection, logger: Logger, replicas = 1): Promise<DataSets> {
    const sets = new DataSets();
    try {
      sets.#store = await new Objm(nc).create(DATA_BUCKET, { replicas });
      const watcher = await sets.#store.watch({ includeHistory: true });
      sets.#stopWatch = () => watcher.stop();
      void (async () => {
        for await (const info of watcher) {
          if (!info) continue;
          try {
            if (info.deleted) sets.#sets.delete(info.name);
            else sets.#sets.set(info.name, toDataSet(info));
            for (const listener of sets.#listeners) listener();
          } catch (error) {
            // One odd entry must not end the watch for every later data set.
            logger.warn({ err: error, name: info.name }, 'skipping a data set entry');
          }
        }
      })().catch((error: unknown) => logger.warn({ err: error }, 'data set watch ended'));
    } catch (error) {
      logger.warn({ err: error }, 'data sets unavailable (no JetStream object store)');
    }
    return sets;
  }

  list(): DataSet[] {
    return [...this.#sets.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(id: string): DataSet | undefined {
    return this.#sets.get(id);
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The data set's bytes, or undefined when it does not exist. */
  async read(id: string): Promise<Uint8Array | undefined> {
    if (!this.#store) return undefined;
    const object = await this.#store.get(id);
    if (!object) return undefined;
    const chunks: Uint8Array[] = [];
    for await (const chunk of object.data) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  stop(): void {
    this.#stopWatch?.();
  }
}
