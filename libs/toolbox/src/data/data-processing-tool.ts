import type { LookupFunction } from 'node:net';
import { defineTool, type HandlerContext, type ToolDefinition } from '@easyremote/node-sdk';
import { Type, type Static } from 'typebox';
import {
  asChunkDescriptor,
  chunkTable,
  detectFormat,
  planChunks,
  type ChunkDescriptor,
  type DataFormat,
} from './chunk-plan.js';
import { csvOutput } from './csv-output.js';
import type { ChunkFunctionRegistry } from './custom-functions.js';
import type { DataConfig } from './data-config.js';
import type { DataSetStore } from './data-set-store.js';
import { readDataset, type DatasetBytes } from './dataset-reader.js';
import { resolveDatasetSource } from './dataset-source.js';
import { chooseModelColumns, type ModelColumns } from './model-columns.js';
import { asChunkPartial, finishPartial, mapChunk, mergePartials, type ChunkPartial } from './processing.js';

export interface DataProcessingDeps {
  readonly config: DataConfig;
  readonly store: DataSetStore;
  readonly functions: ChunkFunctionRegistry;
  /** The resolver URL data sets are fetched with (dns.lookup when unset); tests bring their own. */
  readonly lookup?: LookupFunction | undefined;
}

const Input = Type.Object(
  {
    dataset_path: Type.String({
      minLength: 1,
      description: 'A path on the node (inside its data directory), an http(s) URL, or easyremote://data/<id>',
    }),
    processing_type: Type.Enum(['statistical', 'ml', 'custom'], {
      type: 'string',
      description:
        'statistical: per-column count, mean, variance, min, max, quantiles; ml: least-squares linear regression; custom: a named chunk function',
    }),
    chunk_size: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      default: 1000,
      description: 'Rows per chunk; each chunk may run on another node',
    }),
    output_format: Type.Enum(['json', 'csv'], {
      type: 'string',
      default: 'json',
      description: 'json: processed_data is an object; csv: a CSV table as text',
    }),
    format: Type.Optional(
      Type.Enum(['csv', 'jsonl'], {
        type: 'string',
        description: 'Data format; guessed from the name, content type or first byte when omitted',
      }),
    ),
    columns: Type.Optional(Type.Array(Type.String(), { description: 'statistical: only these columns' })),
    target: Type.Optional(Type.String({ description: 'ml: the column to predict (default: the last numeric column)' })),
    features: Type.Optional(
      Type.Array(Type.String(), { description: 'ml: the predictors (default: every other numeric column)' }),
    ),
    function: Type.Optional(
      Type.String({ description: 'custom: the chunk function, e.g. row_count, distinct_values, column_sums' }),
    ),
    function_args: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'custom: arguments of the chunk function' }),
    ),
  },
  { additionalProperties: false },
);
type Args = Static<typeof Input>;

const Output = Type.Object({
  processed_data: Type.Unknown({
    description: 'The merged result (json) or its CSV text; a single chunk carries its mergeable partial here',
  }),
  chunks_processed: Type.Integer({ minimum: 0 }),
  nodes_used: Type.Integer({ minimum: 0 }),
  processing_time: Type.Number({ description: 'Seconds of processing, summed over the chunks' }),
  output_format: Type.String(),
});
type Result = Static<typeof Output>;

interface Prepared {
  readonly data: DatasetBytes;
  readonly chunks: ChunkDescriptor[];
  readonly columns: readonly string[] | undefined;
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}

/** Reads the whole data set and splits it into chunk descriptors (the fan-out plan). */
async function prepare(args: Args, deps: DataProcessingDeps, ctx: HandlerContext): Promise<Prepared> {
  if (args.processing_type === 'custom') deps.functions.get(args.function); // an unknown function fails before any read
  const source = await resolveDatasetSource(args.dataset_path, deps.config, ctx);
  const data = await readDataset(source, deps, ctx.signal);
  const format: DataFormat = detectFormat(data, args.format);
  const { chunks, columns } = planChunks(data, format, args.chunk_size);
  if (args.processing_type !== 'ml') return { data, chunks, columns };
  const tables = chunks.map((chunk) => chunkTable(data.bytes.subarray(chunk.start, chunk.end), chunk));
  const model: ModelColumns = chooseModelColumns(tables, args.target, args.features);
  return { data, chunks: chunks.map((chunk) => ({ ...chunk, model })), columns };
}

function finalResult(
  merged: ChunkPartial,
  args: Args,
  stats: { chunks: number; nodes: number; time: number },
  deps: DataProcessingDeps,
): Result {
  const finished = finishPartial(merged, args, deps.functions);
  return {
    processed_data: args.output_format === 'csv' ? csvOutput(finished.rows()) : finished.result,
    chunks_processed: stats.chunks,
    nodes_used: stats.nodes,
    processing_time: stats.time,
    output_format: args.output_format,
  };
}

/** A whole call on one node: the same plan, chunks and merge as a fan-out, run here in order. */
async function processWhole(args: Args, deps: DataProcessingDeps, ctx: HandlerContext): Promise<Result> {
  const started = performance.now();
  const { data, chunks, columns } = await prepare(args, deps, ctx);
  let merged: ChunkPartial | undefined;
  for (const [index, chunk] of chunks.entries()) {
    ctx.signal.throwIfAborted();
    const partial = mapChunk(
      chunkTable(data.bytes.subarray(chunk.start, chunk.end), chunk),
      args,
      chunk.model,
      deps.functions,
    );
    merged = merged === undefined ? partial : mergePartials(merged, partial, deps.functions);
    ctx.progress(index + 1, chunks.length, `chunk ${index + 1} of ${chunks.length}`);
  }
  if (merged === undefined) {
    const model = args.processing_type === 'ml' ? chooseModelColumns([], args.target, args.features) : undefined;
    merged = mapChunk({ columns: columns ?? [], rows: [] }, args, model, deps.functions);
  }
  return finalResult(merged, args, { chunks: chunks.length, nodes: 1, time: seconds(started) }, deps);
}

/** One chunk of a fan-out: read only its byte range and return its mergeable partial. */
async function processChunk(args: Args, data: unknown, deps: DataProcessingDeps, ctx: HandlerContext): Promise<Result> {
  const started = performance.now();
  const chunk = asChunkDescriptor(data);
  // Each chunk checks again: a chunk call is a call of its own, whoever planned it.
  const source = await resolveDatasetSource(args.dataset_path, deps.config, ctx);
  const bytes = await readDataset(source, deps, ctx.signal, { start: chunk.start, end: chunk.end }, chunk.size);
  const partial = mapChunk(chunkTable(bytes.bytes, chunk), args, chunk.model, deps.functions);
  return {
    processed_data: partial,
    chunks_processed: 1,
    nodes_used: 1,
    processing_time: seconds(started),
    output_format: args.output_format,
  };
}

/**
 * `parallel_data_processing`: the seed's data tool. The gateway asks a node for the plan (chunks of
 * `chunk_size` records, as byte ranges), runs the chunks on every node serving the tool, and has a
 * node merge the partials in chunk order. Every partial is exact (exact sums, all values for
 * quantiles, exact normal equations), so the merged answer equals the one-node answer bit for bit.
 */
export function createDataProcessingTool(deps: DataProcessingDeps): ToolDefinition {
  return defineTool({
    name: 'parallel_data_processing',
    title: 'Parallel data processing',
    description:
      'Processes a CSV or JSON Lines data set in chunks across compute nodes and merges the results exactly: per-column statistics (count, mean, variance, min, max, quantiles), least-squares linear regression, or a named custom chunk function.',
    input: Input,
    output: Output,
    annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: true },
    metadata: { category: 'data', tags: ['parallel', 'statistics', 'regression'] },
    timeoutMs: 300_000,
    // Long work: a client that can follow a task gets one (durable, readable on any replica).
    task: { support: 'optional' },
    fanout: {
      split: { plan: async (args, ctx) => (await prepare(args, deps, ctx)).chunks },
      merge: (partials, ctx) => {
        const args = ctx.arguments;
        let merged: ChunkPartial | undefined;
        let time = 0;
        const nodes = new Set<string>();
        for (const partial of partials) {
          const chunk = asChunkPartial(partial.structuredContent?.processed_data);
          merged = merged === undefined ? chunk : mergePartials(merged, chunk, deps.functions);
          time += partial.structuredContent?.processing_time ?? 0;
          nodes.add(partial.nodeId ?? `chunk-${partial.index}`);
        }
        if (merged === undefined) throw new Error('a fan-out merge with no partials');
        const withDefaults: Args = {
          ...args,
          chunk_size: args.chunk_size ?? 1000,
          output_format: args.output_format ?? 'json',
        };
        return finalResult(
          merged,
          withDefaults,
          { chunks: partials.length, nodes: nodes.size, time: Math.round(time * 1000) / 1000 },
          deps,
        );
      },
    },
    handler: (args, ctx) =>
      ctx.chunk === undefined ? processWhole(args, deps, ctx) : processChunk(args, ctx.chunk.data, deps, ctx),
  });
}
