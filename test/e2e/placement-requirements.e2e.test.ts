import { once } from 'node:events';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, nodeOf, readAdvert, waitForProviders } from '../fixtures/placement-support.js';
import { connectClient } from '../support/mcp-clients.js';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// Issue 13: placement input is checked (unknown keys refused), a call may state its own
// requirements (honoured like a tool's, or refused clearly), and an operator can set the memory a
// node advertises, so memory placement can be tried on one machine.
const FIXTURE = 'test/fixtures/placement-tools.ts';
const GiB = 1024 ** 3;
const CALLS = 12;

describe('placement requirements of a call', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let client: Client;
  const nodes: AppProcess[] = [];
  const node = (id: string, env: Record<string, string>) =>
    spawnNode(nats.url, [FIXTURE], { EASYREMOTE_NODE_ID: id, EASYREMOTE_NODE_GPUS: 'none', ...env });

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url);
    nodes.push(
      ...(await Promise.all([
        node('req-small', { EASYREMOTE_NODE_MEMORY: '2GiB' }),
        node('req-gpu', { EASYREMOTE_NODE_MEMORY: '4GiB', EASYREMOTE_NODE_GPUS: 'A100:81920' }),
        node('req-big', { EASYREMOTE_NODE_MEMORY: '64GiB' }),
      ])),
    );
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await waitForProviders(gateway.url, 'place_work', 3);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await gateway?.stop();
    await nats?.stop();
  });

  const ranOn = async (placement: Parameters<typeof callTool>[3]): Promise<Set<string | undefined>> => {
    const results = await Promise.all(
      Array.from({ length: CALLS }, () => callTool(client, 'place_work', { ms: 1 }, placement)),
    );
    for (const result of results) expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    return new Set(results.map(nodeOf));
  };

  it('EASYREMOTE_NODE_MEMORY sets the advertised memory', async () => {
    expect((await readAdvert(nats.url, 'req-small')).capabilities.memoryBytes).toBe(2 * GiB);
    expect((await readAdvert(nats.url, 'req-big')).capabilities.memoryBytes).toBe(64 * GiB);
  });

  it('requirements.gpu: true runs only on the GPU node', async () => {
    expect(await ranOn({ requirements: { gpu: true } })).toEqual(new Set(['req-gpu']));
  });

  it('the memory override changes placement: requirements.memoryBytes picks the nodes that advertise enough', async () => {
    // Without requirements every node takes calls; the real machine's memory plays no part.
    expect((await ranOn(undefined)).size).toBeGreaterThan(1);
    expect(await ranOn({ requirements: { memoryBytes: 32 * GiB } })).toEqual(new Set(['req-big']));
    const mid = await ranOn({ requirements: { memoryBytes: 3 * GiB } });
    expect(mid.has('req-small')).toBe(false);
  });

  it('a requirement no node meets is refused clearly, naming why for each node', async () => {
    const result = await callTool(
      client,
      'place_work',
      { ms: 0 },
      { requirements: { gpu: true, memoryBytes: 32 * GiB } },
    );
    expect(result.isError).toBe(true);
    const error = result._meta?.['easyremote/error'] as { code: string; message: string };
    expect(error.code).toBe('GW_ERR_NO_MATCHING_NODE');
    expect(error.message).toContain("req-gpu: memory 4294967296 < 34359738368 (the call's requirements)");
    expect(error.message).toContain("req-big: no GPU (the call's requirements)");
  });

  it('unknown placement keys are refused with GW_ERR_INVALID_PLACEMENT (MCP -32602), pointing to requirements', async () => {
    const bare = callTool(client, 'place_work', { ms: 0 }, { gpu: true } as never);
    await expect(bare).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('unknown key "gpu"') });
    await expect(bare).rejects.toMatchObject({ message: expect.stringContaining('requirements') });
    const nested = callTool(client, 'place_work', { ms: 0 }, { requirements: { gpus: 1 } } as never);
    await expect(nested).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('unknown key "gpus"'),
      data: { code: 'GW_ERR_INVALID_PLACEMENT' },
    });
  });

  it('REST takes the same requirements in the query and refuses unknown parameters', async () => {
    const post = (query: string) =>
      fetch(`${gateway.url}/mcp/tools/place_work?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"ms":0}',
      });
    expect(await (await post('gpu=true')).json()).toEqual({ result: { node: 'req-gpu' }, node: 'req-gpu' });
    expect(await (await post('memory=32GiB')).json()).toEqual({ result: { node: 'req-big' }, node: 'req-big' });
    const unknown = await post('gpus=1');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'GW_ERR_INVALID_PLACEMENT', message: expect.stringContaining('"gpus"') },
    });
    const unmet = await post('memory=1TiB');
    expect(unmet.status).toBe(503);
    expect(await unmet.json()).toMatchObject({ error: { code: 'GW_ERR_NO_MATCHING_NODE' } });
  });

  it('a bad EASYREMOTE_NODE_MEMORY stops the node at start, naming the variable', async () => {
    const bad = runCli(['node', FIXTURE], {
      NATS_URL: nats.url,
      EASYREMOTE_NODE_ID: 'req-bad',
      EASYREMOTE_NODE_MEMORY: 'plenty',
    });
    const [code] = (await once(bad.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(bad.lines.join('\n')).toContain('EASYREMOTE_NODE_MEMORY="plenty": invalid size "plenty"');
  });
});
