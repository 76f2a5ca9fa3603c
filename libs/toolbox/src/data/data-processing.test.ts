import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFanout, runTool } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import { EnvReader } from '../config/env-reader.js';
import { ToolboxErrorCode } from '../errors.js';
import { MAX_CHUNKS } from './chunk-plan.js';
import { BUILTIN_CHUNK_FUNCTIONS, ChunkFunctionRegistry } from './custom-functions.js';
import { readDataConfig } from './data-config.js';
import { createDataProcessingTool } from './data-processing-tool.js';
import { noDataSetStore } from './data-set-store.js';
import { generateRows, toCsv, toJsonl } from './test-data.js';

const dir = mkdtempSync(join(tmpdir(), 'easyremote-data-'));
const rows = generateRows(2_000, 42);
writeFileSync(join(dir, 'sales.csv'), toCsv(rows));
writeFileSync(join(dir, 'sales-crlf.csv'), toCsv(rows, '\r\n'));
writeFileSync(join(dir, 'sales.jsonl'), toJsonl(rows));
writeFileSync(join(dir, 'header-only.csv'), 'a,b\n');

function toolWith(env: Record<string, string> = {}) {
  const reader = new EnvReader({ EASYREMOTE_DATA_DIR: dir, ...env });
  const config = readDataConfig(reader);
  reader.finish();
  return createDataProcessingTool({
    config,
    store: noDataSetStore,
    functions: new ChunkFunctionRegistry(BUILTIN_CHUNK_FUNCTIONS),
  });
}
const tool = toolWith();

interface Result {
  processed_data: unknown;
  chunks_processed: number;
  nodes_used: number;
  processing_time: number;
  output_format: string;
}

function unwrap(response: Awaited<ReturnType<typeof runTool>>): Result {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  if (!('result' in response)) throw new Error('input required');
  return response.result.structuredContent as unknown as Result;
}

/** The answer of one node processing everything as one chunk. */
async function single(args: Record<string, unknown>): Promise<Result> {
  return unwrap(await runTool(tool, { ...args, chunk_size: 10_000_000 }));
}

/** The answer of a fan-out: plan, chunks (each through JSON, as on the wire) and merge. */
async function fanned(args: Record<string, unknown>, chunkSize: number): Promise<Result> {
  return unwrap(await runFanout(tool, { ...args, chunk_size: chunkSize }));
}

async function errorCode(args: Record<string, unknown>, target = tool): Promise<string> {
  const response = await runTool(target, args);
  return response.ok ? 'ok' : response.error.code;
}

describe('parallel_data_processing: merged == single node, exactly', () => {
  it.each(['sales.csv', 'sales-crlf.csv', 'sales.jsonl'])('statistical on %s', async (file) => {
    const args = { dataset_path: file, processing_type: 'statistical' };
    const one = await single(args);
    expect(one).toMatchObject({ chunks_processed: 1, nodes_used: 1, output_format: 'json' });
    for (const chunkSize of [1, 7, 333, 1999]) {
      const merged = await fanned(args, chunkSize);
      // At most MAX_CHUNKS chunks: chunk_size 1 is raised to 2 here.
      expect(merged.chunks_processed).toBe(Math.ceil(2000 / Math.max(chunkSize, Math.ceil(2000 / MAX_CHUNKS))));
      expect(merged.processed_data).toEqual(one.processed_data);
    }
    // The whole-call path on one node (its own chunks, no fan-out) agrees too.
    expect(unwrap(await runTool(tool, { ...args, chunk_size: 50 })).processed_data).toEqual(one.processed_data);
  });

  it('statistics are the true ones: counts, missing, min/max, quantiles, mean and variance', async () => {
    const { processed_data } = await fanned({ dataset_path: 'sales.csv', processing_type: 'statistical' }, 100);
    const stats = processed_data as { rows: number; columns: Array<Record<string, unknown>> };
    expect(stats.rows).toBe(2000);
    const x2 = stats.columns.find((column) => column.column === 'x2')!;
    const values = rows
      .map((row) => row.x2)
      .filter((value): value is number => value !== null)
      .sort((a, b) => a - b);
    expect(x2).toMatchObject({
      type: 'numeric',
      count: values.length,
      missing: 2000 - values.length,
      min: values[0],
      max: values.at(-1),
    });
    const position = (values.length - 1) * 0.5;
    const median =
      values[Math.floor(position)]! +
      (position - Math.floor(position)) * (values[Math.ceil(position)]! - values[Math.floor(position)]!);
    expect((x2.quantiles as Record<string, number>).p50).toBe(median);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(x2.mean as number).toBeCloseTo(mean, 6);
    const variance = values.reduce((total, value) => total + (value - mean) ** 2, 0) / (values.length - 1);
    expect((x2.variance as number) / variance).toBeCloseTo(1, 12);
    expect(stats.columns.find((column) => column.column === 'label')).toMatchObject({
      type: 'text',
      count: 2000,
      mean: null,
    });
  });

  it('ml: least squares from merged sufficient statistics recovers the model, identically for any chunking', async () => {
    const args = { dataset_path: 'sales.csv', processing_type: 'ml', target: 'y', features: ['x1', 'x2'] };
    const one = await single(args);
    const model = one.processed_data as {
      intercept: number;
      coefficients: Record<string, number>;
      r_squared: number;
      rows_used: number;
      rows_skipped: number;
    };
    expect(model.intercept).toBeCloseTo(3, 2);
    expect(model.coefficients.x1).toBeCloseTo(2, 4);
    expect(model.coefficients.x2).toBeCloseTo(-0.5, 8);
    expect(model.r_squared).toBeGreaterThan(0.999999);
    expect(model.rows_used + model.rows_skipped).toBe(2000);
    for (const chunkSize of [3, 64, 500])
      expect((await fanned(args, chunkSize)).processed_data).toEqual(one.processed_data);
  });

  it('ml picks the last numeric column as target and the other numeric columns as features by default', async () => {
    const { processed_data } = await fanned({ dataset_path: 'sales.jsonl', processing_type: 'ml' }, 250);
    expect(processed_data).toMatchObject({ target: 'extra', features: ['id', 'x1', 'y', 'x2'] });
  });

  it.each([
    ['row_count', {}],
    ['distinct_values', { column: 'label' }],
    ['column_sums', {}],
  ])('custom %s', async (name, functionArgs) => {
    const args = {
      dataset_path: 'sales.jsonl',
      processing_type: 'custom',
      function: name,
      function_args: functionArgs,
    };
    const one = await single(args);
    for (const chunkSize of [1, 99]) expect((await fanned(args, chunkSize)).processed_data).toEqual(one.processed_data);
    if (name === 'row_count') expect(one.processed_data).toEqual({ rows: 2000 });
    if (name === 'distinct_values')
      expect(one.processed_data).toMatchObject({
        label: { distinct: 5, values: expect.arrayContaining([{ value: 'two\nlines', count: 400 }]) },
      });
  });

  it('answers CSV text for output_format csv', async () => {
    const { processed_data, output_format } = await fanned(
      { dataset_path: 'sales.csv', processing_type: 'ml', target: 'y', features: ['x1'], output_format: 'csv' },
      500,
    );
    expect(output_format).toBe('csv');
    expect(processed_data).toMatch(/^term,coefficient\r\nintercept,[-\d.e]+\r\nx1,[-\d.e]+\r\n$/);
    const stats = await single({
      dataset_path: 'sales.csv',
      processing_type: 'statistical',
      columns: ['x1'],
      output_format: 'csv',
    });
    expect(String(stats.processed_data).split('\r\n')[0]).toBe(
      'column,type,count,missing,numeric_count,sum,mean,variance,std,min,max,p5,p25,p50,p75,p95',
    );
  });

  it('handles a data set without data rows', async () => {
    const { processed_data, chunks_processed } = await fanned(
      { dataset_path: 'header-only.csv', processing_type: 'statistical' },
      10,
    );
    expect(chunks_processed).toBe(0);
    expect(processed_data).toMatchObject({
      rows: 0,
      columns: [
        { column: 'a', type: 'empty', count: 0 },
        { column: 'b', type: 'empty' },
      ],
    });
  });
});

describe('parallel_data_processing: failures', () => {
  it('refuses paths outside the data directory and node paths when none is configured', async () => {
    expect(await errorCode({ dataset_path: '/etc/passwd', processing_type: 'statistical' })).toBe(
      ToolboxErrorCode.DatasetNotAllowed,
    );
    expect(await errorCode({ dataset_path: '../../etc/passwd', processing_type: 'statistical' })).toBe(
      ToolboxErrorCode.DatasetNotAllowed,
    );
    expect(
      await errorCode(
        { dataset_path: 'sales.csv', processing_type: 'statistical' },
        toolWith({ EASYREMOTE_DATA_DIR: '' }),
      ),
    ).toBe(ToolboxErrorCode.DatasetNotAllowed);
    expect(await errorCode({ dataset_path: 'ftp://example.com/x.csv', processing_type: 'statistical' })).toBe(
      ToolboxErrorCode.DatasetNotAllowed,
    );
    expect(await errorCode({ dataset_path: 'missing.csv', processing_type: 'statistical' })).toBe(
      ToolboxErrorCode.DatasetNotFound,
    );
  });

  it('names unknown functions and columns, refuses data sets over the size limit', async () => {
    expect(await errorCode({ dataset_path: 'sales.csv', processing_type: 'custom', function: 'nope' })).toBe(
      ToolboxErrorCode.UnknownFunction,
    );
    expect(await errorCode({ dataset_path: 'sales.csv', processing_type: 'ml', target: 'nope' })).toBe(
      ToolboxErrorCode.InvalidColumn,
    );
    expect(
      await errorCode({ dataset_path: 'sales.csv', processing_type: 'ml', target: 'y', features: ['label'] }),
    ).toBe(ToolboxErrorCode.SingularMatrix);
    expect(
      await errorCode(
        { dataset_path: 'sales.csv', processing_type: 'statistical' },
        toolWith({ EASYREMOTE_DATA_MAX_BYTES: '1KB' }),
      ),
    ).toBe(ToolboxErrorCode.DatasetTooLarge);
  });

  it('a chunk refuses a data set that changed since the plan, and a descriptor it did not plan', async () => {
    const args = { dataset_path: 'sales.csv', processing_type: 'statistical', chunk_size: 1000, output_format: 'json' };
    const changed = await runTool(tool, args, {
      chunk: {
        index: 0,
        count: 2,
        data: { v: 1, format: 'csv', size: 5, start: 0, end: 5, firstRecord: 1, rows: 1, columns: ['a'] },
      },
    });
    expect(changed).toMatchObject({ ok: false, error: { code: ToolboxErrorCode.DatasetChanged } });
    const forged = await runTool(tool, args, { chunk: { index: 0, count: 1, data: { start: 0 } } });
    expect(forged).toMatchObject({ ok: false, error: { code: ToolboxErrorCode.InvalidChunk } });
  });

  it('reports malformed CSV and JSON Lines with the record', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"a":1}\n{"a":\n');
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,"open\n');
    expect(await runTool(tool, { dataset_path: 'bad.jsonl', processing_type: 'statistical' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.DatasetInvalid, message: expect.stringContaining('record 2') },
    });
    expect(await errorCode({ dataset_path: 'bad.csv', processing_type: 'statistical' })).toBe(
      ToolboxErrorCode.DatasetInvalid,
    );
  });

  it('advertises a plan fan-out with its own merge', () => {
    expect(tool.descriptor).toMatchObject({
      name: 'parallel_data_processing',
      fanout: { split: { kind: 'plan' }, merge: { kind: 'reducer', name: 'parallel_data_processing' } },
    });
  });
});
