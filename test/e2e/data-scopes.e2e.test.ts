import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRemote } from '@easyremote/client';
import { connectMesh } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { uploadDataSet } from '@easyremote/toolbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { bearer, createKey, fetchWithToken, modernRequest } from '../support/security-helpers.js';

const PRIVATE_SPELLINGS = [
  'easyremote://data/private-1',
  'easyremote://data/%70rivate-1',
  'easyremote://data/%70%72%69%76%61%74%65%2D%31',
  'EASYREMOTE://DATA/private-1',
  'Easyremote://Data/private-1',
  'easyremote://%64ata/private-1',
  'easyremote:///data/private-1',
  'easyremote:data/private-1',
  ' easyremote://data/private-1\n',
];

const statistics = (datasetPath: string, chunkSize = 100_000) => ({
  dataset_path: datasetPath,
  processing_type: 'statistical',
  chunk_size: chunkSize,
  format: 'csv',
});

// Issue 12 item 6: a key limited to resources:read:easyremote://data/public-* reads public data sets
// through the data tool and no other, however the URI is spelled, through MCP and REST, with the
// gateway refusing before dispatch and the node refusing calls that bypass the gateway.
describe('data reached through a tool follows the caller’s resources:read scopes', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let narrow: { key: string; id: string };
  let reader: { key: string; id: string };
  const csv = 'region,amount\nnorth,10\nsouth,32\n';
  const secret = 'region,amount\nvault,31337\n';

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    const dir = mkdtempSync(join(tmpdir(), 'easyremote-scoped-data-'));
    writeFileSync(join(dir, 'public.csv'), csv);
    writeFileSync(join(dir, 'private.csv'), secret);
    const nc = await connectMesh({ servers: nats.url });
    try {
      await uploadDataSet(nc, join(dir, 'public.csv'), { id: 'public-1' });
      await uploadDataSet(nc, join(dir, 'private.csv'), { id: 'private-1' });
    } finally {
      await nc.close();
    }
    [narrow, reader] = await Promise.all([
      createKey(nats.url, 'public-data', ['tools:list', 'tools:call', 'resources:read:easyremote://data/public-*']),
      createKey(nats.url, 'all-data', ['tools:call', 'resources:read']),
    ]);
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url, { EASYREMOTE_AUTH: 'on' }),
      spawnNode(nats.url, ['@easyremote/toolbox'], { EASYREMOTE_NODE_ID: 'data-node' }),
    ]);
    const client = await connectClient(gateway.mcpUrl, '2025-11-25', { fetch: fetchWithToken(narrow.key) });
    try {
      for (
        let tries = 0;
        !(await client.listTools().catch(() => ({ tools: [] }))).tools.some(
          (tool) => tool.name === 'parallel_data_processing',
        );
        tries++
      ) {
        if (tries > 100) throw new Error('the data tool never appeared');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await client.close();
    }
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('MCP: the narrow key reads public-1 (whole and fanned out) and is refused private-1 in every spelling', async () => {
    const client = await connectClient(gateway.mcpUrl, '2025-11-25', { fetch: fetchWithToken(narrow.key) });
    try {
      for (const chunkSize of [100_000, 1]) {
        const result = (await client.callTool({
          name: 'parallel_data_processing',
          arguments: statistics('easyremote://data/public-1', chunkSize),
        })) as { isError?: boolean; structuredContent?: { processed_data?: { rows?: number } } };
        expect(result.isError, `chunk_size ${chunkSize}`).toBeFalsy();
        expect(result.structuredContent?.processed_data?.rows).toBe(2);
      }
    } finally {
      await client.close();
    }
    for (const spelling of PRIVATE_SPELLINGS) {
      const call = await modernRequest(
        gateway.mcpUrl,
        'tools/call',
        { name: 'parallel_data_processing', arguments: statistics(spelling) },
        bearer(narrow.key),
      );
      expect([spelling, call.status]).toEqual([spelling, 403]);
      expect(call.json, spelling).toMatchObject({
        error: { code: -32000, data: { code: 'AUTH_ERR_INSUFFICIENT_SCOPE' } },
      });
      expect(call.headers.get('www-authenticate'), spelling).toMatch(
        /error="insufficient_scope".*scope="resources:read:easyremote:\/\/data\/private-1"/,
      );
      expect(call.text, spelling).not.toContain('31337');
    }
    // The same URI is readable with a key that covers it: the refusal is the scope, not the spelling.
    const allowed = await modernRequest(
      gateway.mcpUrl,
      'tools/call',
      { name: 'parallel_data_processing', arguments: statistics('easyremote://data/%70rivate-1') },
      bearer(reader.key),
    );
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('31337');
  });

  it('REST: the same decisions on POST /mcp/tools/{name}; /mcp/resources lists only what the key may read', async () => {
    const post = (key: string, body: unknown) =>
      fetch(`${gateway.url}/mcp/tools/parallel_data_processing`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(key) },
        body: JSON.stringify(body),
      });
    const ok = await post(narrow.key, statistics('easyremote://data/public-1', 1));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { processed_data: { rows: number } } }).result.processed_data.rows).toBe(2);
    for (const spelling of PRIVATE_SPELLINGS) {
      const refused = await post(narrow.key, statistics(spelling));
      expect([spelling, refused.status]).toEqual([spelling, 403]);
      expect(await refused.json()).toMatchObject({ error: { code: 'AUTH_ERR_INSUFFICIENT_SCOPE' } });
    }
    const listed = (await (await fetch(`${gateway.url}/mcp/resources`, { headers: bearer(narrow.key) })).json()) as {
      resources: Array<{ uri: string }>;
    };
    expect(listed.resources.map((resource) => resource.uri)).toEqual(['easyremote://data/public-1']);
  });

  it('any tool: a resource URI in any argument of any tool is checked before dispatch; resources/read decides on the same spelling', async () => {
    for (const [name, args] of [
      ['echo', { text: 'easyremote://data/private-1' }],
      ['distributed_image_generation', { prompts: ['a cat', 'EASYREMOTE://DATA/%70rivate-1'] }],
      ['checksum', { data: ' easyremote:data/private-1' }],
    ] as const) {
      const call = await modernRequest(gateway.mcpUrl, 'tools/call', { name, arguments: args }, bearer(narrow.key));
      expect([name, call.status]).toEqual([name, 403]);
    }
    const echoed = await modernRequest(
      gateway.mcpUrl,
      'tools/call',
      { name: 'echo', arguments: { text: 'easyremote://data/public-1' } },
      bearer(narrow.key),
    );
    expect(echoed.status).toBe(200);
    for (const uri of ['easyremote://data/private-1', 'easyremote://data/%70rivate-1']) {
      expect((await modernRequest(gateway.mcpUrl, 'resources/read', { uri }, bearer(narrow.key))).status).toBe(403);
    }
    const read = await modernRequest(
      gateway.mcpUrl,
      'resources/read',
      { uri: 'easyremote://data/%70rivate-1' },
      bearer(reader.key),
    );
    expect(read.text).toContain('31337');
  });

  it('2025: subscribing to a resource needs the scope to read it', async () => {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...bearer(narrow.key),
    };
    const init = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'scopes', version: '1' } },
      }),
    });
    const session = {
      ...headers,
      'mcp-session-id': init.headers.get('mcp-session-id') ?? '',
      'mcp-protocol-version': '2025-11-25',
    };
    await init.text();
    const subscribe = (method: string, uri: string) =>
      fetch(gateway.mcpUrl, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method, params: { uri } }),
      });
    for (const uri of ['easyremote://data/private-1', 'easyremote://data/%70rivate-1']) {
      expect((await subscribe('resources/subscribe', uri)).status).toBe(403);
      expect((await subscribe('resources/unsubscribe', uri)).status).toBe(403);
    }
    expect((await subscribe('resources/subscribe', 'easyremote://data/public-1')).status).toBe(200);
  });

  it('the node refuses on its own: a direct mesh call with a narrow caller, or with none, reads no private data', async () => {
    await using narrowMesh = await connectRemote({
      servers: nats.url,
      caller: { principal: `key:${narrow.id}`, scopes: ['tools:call', 'resources:read:easyremote://data/public-*'] },
    });
    const run = narrowMesh.remote<Record<string, unknown>, { processed_data: { rows: number } }>(
      'parallel_data_processing',
    );
    expect((await run(statistics('easyremote://data/public-1'))).processed_data.rows).toBe(2);
    for (const spelling of PRIVATE_SPELLINGS) {
      await expect(run(statistics(spelling)), spelling).rejects.toMatchObject({
        code: 'TOOLBOX_ERR_DATASET_FORBIDDEN',
      });
    }
    await using anonymous = await connectRemote({ servers: nats.url });
    await expect(
      anonymous.call('parallel_data_processing', statistics('easyremote://data/public-1')),
    ).rejects.toMatchObject({ code: 'TOOLBOX_ERR_DATASET_FORBIDDEN' });
  });
});
