import { DATA_BUCKET } from '@easyremote/protocol';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The seed's built-in resources: every node is easyremote://compute/<id>, every data set in the
// mesh's object store is easyremote://data/<id>; both over MCP and the seed's REST /mcp/resources.
describe('built-in resources', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['@easyremote/toolbox'], { EASYREMOTE_NODE_ID: 'res-node' }),
    ]);
    const nc = await connect({ servers: nats.url });
    const store = await new Objm(nc).create(DATA_BUCKET);
    await store.putBlob(
      { name: 'sales-q3.csv', description: 'Q3 sales by region' },
      new TextEncoder().encode('region,amount\nnorth,10\nsouth,32\n'),
    );
    await nc.drain();
    // And one through the CLI, as an operator would.
    const dir = await mkdtemp(join(tmpdir(), 'er-data-'));
    await writeFile(join(dir, 'events.jsonl'), '{"a":1}\n{"a":2}\n');
    const upload = runCli(['data', 'put', join(dir, 'events.jsonl'), '--id', 'events-2026.jsonl'], {
      NATS_URL: nats.url,
    });
    const code = await new Promise<number | null>((resolve) => upload.child.once('exit', resolve));
    expect(code, upload.lines.join('\n')).toBe(0);
    expect(upload.lines.join('\n')).toContain('easyremote://data/events-2026.jsonl (16 bytes');
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('lists and reads compute nodes and data sets over MCP', async () => {
    const client = await connectClient(gateway.mcpUrl, '2025-11-25');
    try {
      const uris = async () => (await client.listResources()).resources.map((resource) => resource.uri);
      await until(async () => (await uris()).filter((uri) => uri.startsWith('easyremote://data/')).length === 2, 5_000);
      const { resources } = await client.listResources();
      expect(resources.map((resource) => resource.uri)).toEqual(
        expect.arrayContaining([
          'easyremote://compute/res-node',
          'easyremote://data/sales-q3.csv',
          'easyremote://data/events-2026.jsonl',
        ]),
      );
      const data = await client.readResource({ uri: 'easyremote://data/sales-q3.csv' });
      expect(data.contents[0]).toMatchObject({
        uri: 'easyremote://data/sales-q3.csv',
        mimeType: 'text/csv',
        text: 'region,amount\nnorth,10\nsouth,32\n',
      });
      const compute = await client.readResource({ uri: 'easyremote://compute/res-node' });
      expect(JSON.parse(String((compute.contents[0] as { text: string }).text))).toMatchObject({
        node_id: 'res-node',
        node_type: 'compute',
        availability: 'available',
      });
      await expect(client.readResource({ uri: 'easyremote://compute/nobody' })).rejects.toThrow(/Resource not found/);
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(
        expect.arrayContaining(['easyremote://compute/{nodeId}', 'easyremote://data/{id}']),
      );
    } finally {
      await client.close();
    }
  });

  it('GET and POST /mcp/resources answer in the seed shape', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${gateway.url}/mcp/resources`, { method });
      expect(response.status).toBe(200);
      const { resources } = (await response.json()) as { resources: Array<Record<string, unknown>> };
      const compute = resources.find((resource) => resource.uri === 'easyremote://compute/res-node');
      expect(compute).toMatchObject({
        name: 'compute-res-node',
        mimeType: 'application/json',
        metadata: { node_type: 'compute', availability: 'available' },
      });
      expect(typeof compute?.description).toBe('string');
      const data = resources.find((resource) => resource.uri === 'easyremote://data/sales-q3.csv');
      expect(data).toMatchObject({ mimeType: 'text/csv', description: 'Q3 sales by region', metadata: { size: 32 } });
    }
  });
});
