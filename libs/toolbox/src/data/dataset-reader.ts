import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LookupFunction } from 'node:net';
import { hasErrorCode } from '@easyremote/protocol';
import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { guardedGet, type GuardedResponse } from '../net/guarded-get.js';
import type { DataConfig } from './data-config.js';
import type { ByteRange, DataSetStore } from './data-set-store.js';
import type { DatasetSource } from './dataset-source.js';

export interface DatasetAccess {
  readonly config: DataConfig;
  readonly store: DataSetStore;
  /** The resolver URL fetches use (dns.lookup when unset); tests bring their own. */
  readonly lookup?: LookupFunction | undefined;
}

export interface DatasetBytes {
  readonly bytes: Buffer;
  /** Size of the whole data set (the plan's fingerprint: a chunk refuses a data set of another size). */
  readonly size: number;
  /** The name its format is guessed from (file name, URL path, data set id). */
  readonly name: string;
  readonly contentType: string | undefined;
}

function tooLarge(what: string, size: number, max: number): ToolError {
  return new ToolError(
    ToolboxErrorCode.DatasetTooLarge,
    `${what} is ${size} bytes; this node reads at most ${max} (EASYREMOTE_DATA_MAX_BYTES)`,
  );
}

function changed(what: string, size: number, expected: number): ToolError {
  return new ToolError(
    ToolboxErrorCode.DatasetChanged,
    `${what} is now ${size} bytes, not the ${expected} its chunks were planned on; run the call again`,
  );
}

async function readFile(
  path: string,
  range: ByteRange | undefined,
  expectedSize: number | undefined,
  max: number,
): Promise<DatasetBytes> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ToolError(
      error.code === 'ENOENT' ? ToolboxErrorCode.DatasetNotFound : ToolboxErrorCode.DatasetUnreadable,
      `cannot open ${path}: ${error.code ?? error.message}`,
    );
  });
  try {
    const { size } = await handle.stat();
    if (expectedSize !== undefined && size !== expectedSize) throw changed(path, size, expectedSize);
    const wanted = range ?? { start: 0, end: size };
    if (wanted.end - wanted.start > max) throw tooLarge(path, size, max);
    const bytes = Buffer.alloc(wanted.end - wanted.start);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, wanted.start + filled);
      if (bytesRead === 0) throw changed(path, wanted.start + filled, expectedSize ?? size);
      filled += bytesRead;
    }
    return { bytes, size, name: basename(path), contentType: undefined };
  } finally {
    await handle.close();
  }
}

async function readBody(response: GuardedResponse, url: string, max: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of response.body) {
    total += part.length;
    if (total > max) throw tooLarge(url, total, max);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

async function openUrl(
  url: string,
  range: ByteRange | undefined,
  access: DatasetAccess,
  signal: AbortSignal,
): Promise<GuardedResponse> {
  const { fetchTimeoutMs } = access.config;
  try {
    // Never fetch(): the URL comes from the caller, so every hop is checked against the fetch
    // policy after DNS resolution (net/guarded-get.ts), redirects included.
    return await guardedGet(url, {
      policy: access.config.fetchPolicy,
      headers: range === undefined ? {} : { Range: `bytes=${range.start}-${range.end - 1}` },
      signal: AbortSignal.any([signal, AbortSignal.timeout(fetchTimeoutMs)]),
      lookup: access.lookup,
    });
  } catch (error) {
    if (hasErrorCode(error, ToolboxErrorCode.UrlForbidden) || signal.aborted) throw error;
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new ToolError(ToolboxErrorCode.DatasetUnreadable, `cannot fetch ${url}: ${reason}`);
  }
}

async function readUrl(
  url: string,
  range: ByteRange | undefined,
  expectedSize: number | undefined,
  access: DatasetAccess,
  signal: AbortSignal,
): Promise<DatasetBytes> {
  const response = await openUrl(url, range, access, signal);
  try {
    return await responseBytes(response, url, range, expectedSize, access.config.maxBytes);
  } finally {
    response.close();
  }
}

async function responseBytes(
  response: GuardedResponse,
  url: string,
  range: ByteRange | undefined,
  expectedSize: number | undefined,
  maxBytes: number,
): Promise<DatasetBytes> {
  if (response.status === 404 || response.status === 410)
    throw new ToolError(ToolboxErrorCode.DatasetNotFound, `${url} answered HTTP ${response.status}`);
  if (response.status < 200 || response.status > 299)
    throw new ToolError(ToolboxErrorCode.DatasetUnreadable, `${url} answered HTTP ${response.status}`);
  const name = basename(new URL(response.url).pathname) || url;
  const contentType = response.header('content-type')?.split(';')[0]?.trim() || undefined;
  const declared = Number(response.header('content-length') ?? NaN);
  if (response.status === 206 && range !== undefined) {
    // Content-Range: bytes <start>-<end>/<total>: the server honoured the range.
    const total = Number(/\/(\d+)$/.exec(response.header('content-range') ?? '')?.[1] ?? NaN);
    if (expectedSize !== undefined && Number.isFinite(total) && total !== expectedSize)
      throw changed(url, total, expectedSize);
    const bytes = await readBody(response, url, maxBytes);
    if (bytes.length !== range.end - range.start)
      throw changed(url, range.start + bytes.length, expectedSize ?? range.end);
    return { bytes, size: Number.isFinite(total) ? total : (expectedSize ?? range.end), name, contentType };
  }
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(url, declared, maxBytes);
  const whole = await readBody(response, url, maxBytes);
  if (expectedSize !== undefined && whole.length !== expectedSize) throw changed(url, whole.length, expectedSize);
  // A server that ignores Range sends everything: keep the part asked for.
  return {
    bytes: range === undefined ? whole : whole.subarray(range.start, range.end),
    size: whole.length,
    name,
    contentType,
  };
}

/** Reads a data set (or the byte range of one chunk); `expectedSize` guards against a changed data set. */
export async function readDataset(
  source: DatasetSource,
  access: DatasetAccess,
  signal: AbortSignal,
  range?: ByteRange,
  expectedSize?: number,
): Promise<DatasetBytes> {
  switch (source.kind) {
    case 'file':
      return readFile(source.path, range, expectedSize, access.config.maxBytes);
    case 'url':
      return readUrl(source.url, range, expectedSize, access, signal);
    case 'data-set': {
      const stored = await access.store.read(source.id, range, access.config.maxBytes, signal);
      if (stored === undefined)
        throw new ToolError(ToolboxErrorCode.DatasetNotFound, `no data set easyremote://data/${source.id}`);
      if (expectedSize !== undefined && stored.size !== expectedSize)
        throw changed(`data set ${source.id}`, stored.size, expectedSize);
      if (range === undefined && stored.size > access.config.maxBytes)
        throw tooLarge(`data set ${source.id}`, stored.size, access.config.maxBytes);
      return { bytes: stored.bytes, size: stored.size, name: source.id, contentType: stored.contentType };
    }
  }
}
