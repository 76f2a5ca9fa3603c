import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { csvHeader, csvRecordBounds, csvTable } from './csv-records.js';
import type { DatasetBytes } from './dataset-reader.js';
import { jsonlRecordBounds, jsonlTable } from './jsonl-records.js';
import type { ModelColumns } from './model-columns.js';
import type { Table } from './table.js';

export const DATA_FORMATS = ['csv', 'jsonl'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** More chunks than this and `chunk_size` is raised: per-chunk overhead would dominate. */
export const MAX_CHUNKS = 1024;

/** One chunk of a data set: a byte range of whole records. Travels as `ctx.chunk.data`. */
export interface ChunkDescriptor {
  readonly v: 1;
  readonly format: DataFormat;
  /** Size of the whole data set when planned; a chunk that finds another size refuses to run. */
  readonly size: number;
  readonly start: number;
  readonly end: number;
  /** 1-based number of the chunk's first data record (for error messages). */
  readonly firstRecord: number;
  readonly rows: number;
  /** CSV: the header's column names. */
  readonly columns?: readonly string[];
  /** `ml`: the regression's columns, fixed for the whole data set by the plan. */
  readonly model?: ModelColumns;
}

/** The data format: the call's `format`, else the name's extension, the Content-Type, the first byte. */
export function detectFormat(data: DatasetBytes, requested: DataFormat | undefined): DataFormat {
  if (requested !== undefined) return requested;
  const name = data.name.toLowerCase();
  if (name.endsWith('.csv') || data.contentType === 'text/csv') return 'csv';
  if (/\.(jsonl|ndjson)$/.test(name) || /jsonl|ndjson|json-seq/.test(data.contentType ?? '')) return 'jsonl';
  const first = data.bytes.subarray(0, 1024).toString('utf8').trimStart()[0];
  if (first === '[')
    throw new ToolError(
      ToolboxErrorCode.DatasetInvalid,
      'a JSON array is not supported: use JSON Lines (one object per line) or CSV',
    );
  return first === '{' ? 'jsonl' : 'csv';
}

export interface DatasetPlan {
  readonly chunks: ChunkDescriptor[];
  /** CSV: the header's columns (also when there are no data rows). */
  readonly columns: readonly string[] | undefined;
}

/** Splits a data set into chunks of `chunkSize` records (raised so there are at most MAX_CHUNKS). */
export function planChunks(data: DatasetBytes, format: DataFormat, chunkSize: number): DatasetPlan {
  let columns: string[] | undefined;
  let { start, ends } = format === 'csv' ? csvRecordBounds(data.bytes) : jsonlRecordBounds(data.bytes);
  if (format === 'csv') {
    const headerEnd = ends[0];
    if (headerEnd === undefined) throw new ToolError(ToolboxErrorCode.DatasetInvalid, 'CSV has no header row');
    columns = csvHeader(data.bytes.subarray(start, headerEnd).toString('utf8'));
    start = headerEnd;
    ends = ends.slice(1);
  }
  const size = Math.max(chunkSize, Math.ceil(ends.length / MAX_CHUNKS));
  const chunks: ChunkDescriptor[] = [];
  for (let first = 0; first < ends.length; first += size) {
    const last = Math.min(first + size, ends.length) - 1;
    const chunkStart = first === 0 ? start : ends[first - 1]!;
    chunks.push({
      v: 1,
      format,
      size: data.size,
      start: chunkStart,
      end: ends[last]!,
      firstRecord: first + 1,
      rows: last - first + 1,
      ...(columns ? { columns } : {}),
    });
  }
  return { chunks, columns };
}

/** Parses one chunk's bytes into a table. */
export function chunkTable(bytes: Uint8Array, chunk: ChunkDescriptor): Table {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // +1: the header is line 1 of a CSV file, so data record n is line n + 1 (without embedded newlines).
  return chunk.format === 'csv'
    ? csvTable(text, chunk.columns ?? [], chunk.firstRecord + 1)
    : jsonlTable(text, chunk.firstRecord);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Checks a descriptor that arrived over the wire (`ctx.chunk.data`). */
export function asChunkDescriptor(value: unknown): ChunkDescriptor {
  const chunk = value as Partial<ChunkDescriptor> | null;
  const integer = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    typeof chunk !== 'object' ||
    chunk === null ||
    chunk.v !== 1 ||
    !DATA_FORMATS.includes(chunk.format as DataFormat) ||
    ![chunk.size, chunk.start, chunk.end, chunk.firstRecord, chunk.rows].every(integer) ||
    chunk.start! > chunk.end! ||
    chunk.end! > chunk.size! ||
    (chunk.columns !== undefined && !isStringArray(chunk.columns)) ||
    (chunk.model !== undefined &&
      !(
        typeof chunk.model === 'object' &&
        chunk.model !== null &&
        typeof chunk.model.target === 'string' &&
        isStringArray(chunk.model.features)
      ))
  ) {
    throw new ToolError(
      ToolboxErrorCode.InvalidChunk,
      'the chunk descriptor is not one parallel_data_processing planned',
    );
  }
  return chunk as ChunkDescriptor;
}
