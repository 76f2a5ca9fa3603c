import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { DATA_BUCKET } from '@easyremote/protocol';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
import { DATA_SET_URI_PREFIX } from './dataset-source.js';

export interface UploadDataSetOptions {
  /** The data set id (`easyremote://data/<id>`); the file's name by default. */
  id?: string;
  description?: string;
  /** Content-Type; from the extension by default (csv, jsonl, ndjson, json, txt). */
  contentType?: string;
}

export interface UploadedDataSet {
  readonly id: string;
  readonly uri: string;
  readonly size: number;
  /** SHA-256 digest as the object store reports it (`SHA-256=<base64url>`). */
  readonly digest: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.jsonl': 'application/jsonl',
  '.ndjson': 'application/jsonl',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

/** Ids stay usable in a URI path segment and as object names. */
export const DATA_SET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Uploads a file into the mesh's data-set bucket (created when missing), streaming it in chunks, so
 * that every node can read it as `easyremote://data/<id>` and gateways list it as a resource. For
 * the CLI (`easyremote data put <file> [--id]`) and for programs; replaces an existing id.
 */
export async function uploadDataSet(
  nc: NatsConnection,
  path: string,
  options: UploadDataSetOptions = {},
): Promise<UploadedDataSet> {
  const id = options.id ?? basename(path);
  if (!DATA_SET_ID.test(id))
    throw new TypeError(
      `invalid data set id ${JSON.stringify(id)}: use 1-200 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit`,
    );
  const file = await stat(path);
  if (!file.isFile()) throw new TypeError(`${path} is not a file`);
  const meta = { name: id, description: options.description ?? `uploaded from ${basename(path)}`, headers: headers() };
  const contentType = options.contentType ?? CONTENT_TYPES[extname(path).toLowerCase()];
  if (contentType !== undefined) meta.headers.set('Content-Type', contentType);
  const store = await new Objm(nc).create(DATA_BUCKET);
  const info = await store.put(meta, Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>);
  return { id, uri: `${DATA_SET_URI_PREFIX}${id}`, size: info.size, digest: info.digest };
}
