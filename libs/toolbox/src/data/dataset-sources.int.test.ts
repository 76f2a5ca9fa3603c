import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMesh } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { runFanout, runTool } from '@easyremote/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvReader } from '../config/env-reader.js';
import { ToolboxErrorCode } from '../errors.js';
import { BUILTIN_CHUNK_FUNCTIONS, ChunkFunctionRegistry } from './custom-functions.js';
import { readDataConfig } from './data-config.js';
import { createDataProcessingTool } from './data-processing-tool.js';
import { NatsDataSetStore, noDataSetStore, type DataSetStore } from './data-set-store.js';
import { generateRows, toCsv } from './test-data.js';
import { uploadDataSet } from './upload-data-set.js';

const csv = toCsv(generateRows(1_500, 7));
const dir = mkdtempSync(join(tmpdir(), 'easyremote-sources-'));
writeFileSync(join(dir, 'local.csv'), csv);

function toolWith(store: DataSetStore, env: Record<string, string> = {}) {
  const reader = new EnvReader({ EASYREMOTE_DATA_DIR: dir, ...env });
  const config = readDataConfig(reader);
  reader.finish();
  return createDataProcessingTool({ config, store, functions: new ChunkFunctionRegistry(BUILTIN_CHUNK_FUNCTIONS) });
}

function data(response: Awaited<ReturnType<typeof runTool>>): unknown {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  if (!('result' in response)) throw new Error('input required');
  return (response.result.structuredContent as { processed_data: unknown }).processed_data;
}

const args = { processing_type: 'statistical', chunk_size: 200 } as const;
let expected: unknown;

beforeAll(async () => {
  expected = data(
    await runTool(toolWith(noDataSetStore), { ...args, dataset_path: 'local.csv', chunk_size: 10_000_000 }),
  );
});

describe('data sets from http(s) URLs', () => {
  let server: Server;
  let base = '';
  const ranges: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const body = Buffer.from(csv);
      if (request.url === '/ranged.csv' && request.headers.range) {
        ranges.push(request.headers.range);
        const [, from, to] = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range)!;
        const slice = body.subarray(Number(from), Number(to) + 1);
        response.writeHead(206, {
          'content-type': 'text/csv',
          'content-range': `bytes ${from}-${to}/${body.length}`,
          'content-length': slice.length,
        });
        response.end(slice);
      } else if (request.url === '/ranged.csv' || request.url === '/whole') {
        // /whole ignores Range, as some servers do: the chunk keeps only its bytes.
        response.writeHead(200, { 'content-type': 'text/csv', 'content-length': body.length });
        response.end(body);
      } else if (request.url === '/broken') {
        response.writeHead(500).end('boom');
      } else if (request.url?.startsWith('/redirect?to=')) {
        response.writeHead(302, { location: decodeURIComponent(request.url.slice('/redirect?to='.length)) }).end();
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  // Loopback is refused unless allow-listed: these tests' server is the operator's "internal" host.
  const allowed = () => ({ EASYREMOTE_FETCH_ALLOW_HOSTS: new URL(base).host });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads each chunk with a Range request and merges to the local answer', async () => {
    const tool = toolWith(noDataSetStore, allowed());
    expect(data(await runFanout(tool, { ...args, dataset_path: `${base}/ranged.csv` }))).toEqual(expected);
    expect(ranges.length).toBe(8);
    expect(data(await runFanout(tool, { ...args, dataset_path: `${base}/whole`, format: 'csv' }))).toEqual(expected);
  });

  it('maps HTTP failures and can be switched off', async () => {
    const tool = toolWith(noDataSetStore, allowed());
    const code = async (path: string, target = tool) => {
      const response = await runTool(target, { ...args, dataset_path: path });
      return response.ok ? 'ok' : response.error.code;
    };
    expect(await code(`${base}/missing.csv`)).toBe(ToolboxErrorCode.DatasetNotFound);
    expect(await code(`${base}/broken`)).toBe(ToolboxErrorCode.DatasetUnreadable);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(
      await runTool(toolWith(noDataSetStore, { EASYREMOTE_FETCH_ALLOW_HOSTS: `127.0.0.1:${port}` }), {
        ...args,
        dataset_path: `http://127.0.0.1:${port}/refused.csv`,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.DatasetUnreadable, message: expect.stringContaining('ECONNREFUSED') },
    });
    expect(
      await code(`${base}/ranged.csv`, toolWith(noDataSetStore, { ...allowed(), EASYREMOTE_DATA_ALLOW_URLS: '0' })),
    ).toBe(ToolboxErrorCode.DatasetNotAllowed);
  });

  it('refuses loopback and internal URLs unless allow-listed, in the plan and in every chunk, redirects included', async () => {
    const closed = toolWith(noDataSetStore);
    const before = ranges.length;
    for (const path of [
      `${base}/ranged.csv`,
      `${base.replace('127.0.0.1', 'localhost')}/ranged.csv`,
      `${base.replace('127.0.0.1', '[::ffff:127.0.0.1]')}/ranged.csv`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      expect(await runTool(closed, { ...args, dataset_path: path })).toMatchObject({
        ok: false,
        error: { code: ToolboxErrorCode.UrlForbidden },
      });
      // runFanout throws what the plan throws (a node would answer it as the plan's failure).
      await expect(runFanout(closed, { ...args, dataset_path: path })).rejects.toMatchObject({
        code: ToolboxErrorCode.UrlForbidden,
      });
    }
    // A chunk descriptor planned elsewhere does not make the URL allowed here.
    expect(
      await runTool(
        closed,
        { ...args, dataset_path: `${base}/ranged.csv` },
        {
          chunk: {
            index: 0,
            count: 1,
            data: { v: 1, format: 'csv', size: 10, start: 0, end: 10, firstRecord: 0, rows: 1 },
          },
        },
      ),
    ).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.UrlForbidden },
    });
    // The allow-listed server redirecting to a host that is not allow-listed: refused at that hop.
    const open = toolWith(noDataSetStore, allowed());
    const elsewhere = `${base.replace('127.0.0.1', '127.0.0.2')}/ranged.csv`;
    expect(
      await runTool(open, { ...args, dataset_path: `${base}/redirect?to=${encodeURIComponent(elsewhere)}` }),
    ).toMatchObject({ ok: false, error: { code: ToolboxErrorCode.UrlForbidden } });
    expect(ranges.length).toBe(before);
  });
});

describe('data sets uploaded to the mesh (easyremote://data/<id>)', () => {
  let nats: NatsServerHandle;
  let store: NatsDataSetStore;
  // What a gateway sends with each call: the caller's principal and scopes.
  const everything = { caller: { principal: 'key:all', scopes: ['resources:read'] } };
  const publicOnly = {
    caller: { principal: 'key:narrow', scopes: ['tools:call', 'resources:read:easyremote://data/public-*'] },
  };

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    store = new NatsDataSetStore([nats.url]);
  });
  afterAll(async () => {
    await store.close();
    await nats.stop();
  });

  it('uploads a file with uploadDataSet and processes it chunk by chunk from the object store', async () => {
    const tool = toolWith(store);
    expect(await runTool(tool, { ...args, dataset_path: 'easyremote://data/sales.csv' }, everything)).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.DatasetNotFound },
    });
    const nc = await connectMesh({ servers: nats.url });
    try {
      const uploaded = await uploadDataSet(nc, join(dir, 'local.csv'), { id: 'sales.csv' });
      expect(uploaded).toMatchObject({
        id: 'sales.csv',
        uri: 'easyremote://data/sales.csv',
        size: Buffer.byteLength(csv),
      });
      await expect(uploadDataSet(nc, join(dir, 'local.csv'), { id: '../escape' })).rejects.toThrow(
        /invalid data set id/,
      );
    } finally {
      await nc.close();
    }
    expect(data(await runFanout(tool, { ...args, dataset_path: 'easyremote://data/sales.csv' }, everything))).toEqual(
      expected,
    );
    expect(data(await runTool(tool, { ...args, dataset_path: 'easyremote://data/sales.csv' }, everything))).toEqual(
      expected,
    );
    expect(await runTool(tool, { ...args, dataset_path: 'easyremote://data/other.csv' }, everything)).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.DatasetNotFound },
    });
  });

  it("reads only the data sets the caller's resources:read scopes cover, however the URI is spelled", async () => {
    const nc = await connectMesh({ servers: nats.url });
    try {
      await uploadDataSet(nc, join(dir, 'local.csv'), { id: 'public-1' });
      await uploadDataSet(nc, join(dir, 'local.csv'), { id: 'private-1' });
    } finally {
      await nc.close();
    }
    const tool = toolWith(store);
    const code = async (path: string, options: Parameters<typeof runTool>[2] = publicOnly) => {
      const response = await runTool(tool, { ...args, format: 'csv', dataset_path: path }, options);
      return response.ok ? 'ok' : response.error.code;
    };
    for (const path of [
      'easyremote://data/public-1',
      'EASYREMOTE://DATA/public-1',
      'easyremote://data/%70ublic-1',
      ' easyremote://data/public-1',
    ]) {
      expect([path, await code(path)]).toEqual([path, 'ok']);
    }
    const privateSpellings = [
      'easyremote://data/private-1',
      'easyremote://data/%70rivate-1',
      'easyremote://data/%70%72%69%76%61%74%65%2D%31',
      'EASYREMOTE://DATA/private-1',
      'Easyremote://Data/private-1',
      'easyremote://%64ata/private-1',
      'easyremote:///data/private-1',
      'easyremote:data/private-1',
      '  easyremote://data/private-1\n',
    ];
    for (const path of privateSpellings)
      expect([path, await code(path)]).toEqual([path, ToolboxErrorCode.DatasetForbidden]);
    // Through the fan-out plan and a chunk call too: each is a call of its own.
    await expect(
      runFanout(tool, { ...args, dataset_path: 'easyremote://data/%70rivate-1' }, publicOnly),
    ).rejects.toMatchObject({ code: ToolboxErrorCode.DatasetForbidden });
    const chunk = {
      index: 0,
      count: 1,
      data: { v: 1, format: 'csv', size: 10, start: 0, end: 10, firstRecord: 0, rows: 1 },
    };
    expect(
      await runTool(tool, { ...args, dataset_path: 'easyremote://data/private-1' }, { ...publicOnly, chunk }),
    ).toMatchObject({ ok: false, error: { code: ToolboxErrorCode.DatasetForbidden } });
    // A path inside the allowed glob is the literal object name, never a way out of it.
    expect(await code('easyremote://data/public-1%2F..%2Fprivate-1')).toBe(ToolboxErrorCode.DatasetNotFound);
    expect(await code('easyremote://data/%zz')).toBe(ToolboxErrorCode.DatasetNotAllowed);
    // No caller (an older gateway, a remote() call that names none): nothing is readable.
    expect(await code('easyremote://data/public-1', {})).toBe(ToolboxErrorCode.DatasetForbidden);
    expect(await code('easyremote://data/private-1', everything)).toBe('ok');
  });
});
