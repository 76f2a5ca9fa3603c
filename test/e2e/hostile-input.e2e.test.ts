import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { waitForProviders } from '../fixtures/placement-support.js';

// Work before validation is bounded: a property flood is refused as cheaply as a deep body, on every
// route that takes one, and /healthz keeps answering while floods arrive.
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const propertyFlood = (count: number) => `{${Array.from({ length: count }, (_, i) => `"k${i}":0`).join(',')}}`;

describe('hostile input: floods are refused before parsing and health stays up', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let hostile: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node, hostile] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'fixtures' }),
      spawnNode(nats.url, ['test/fixtures/hostile-schema-tools.ts'], { EASYREMOTE_NODE_ID: 'hostile' }),
    ]);
    await waitForProviders(gateway.url, 'fixture.add', 1);
    await waitForProviders(gateway.url, 'hostile_neighbour', 1);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop(), hostile?.stop()]);
    await nats?.stop();
  });

  it('a 500k-property body is a 400 GW_ERR_INPUT_LIMIT on REST and on /mcp; a huge array too', async () => {
    const flood = propertyFlood(500_000);
    const rest = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: flood,
    });
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({
      error: { code: 'GW_ERR_INPUT_LIMIT', message: expect.stringContaining('more than 10000 members') },
    });

    const rpc = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fixture.add","arguments":${flood}}}`;
    const mcp = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-protocol-version': '2026-07-28' },
      body: rpc,
    });
    expect(mcp.status).toBe(400);
    expect(await mcp.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32600, data: { code: 'GW_ERR_INPUT_LIMIT' } },
    });

    const items = `{"a":[${Array.from({ length: 200_001 }, () => '0').join(',')}]}`;
    const array = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: items,
    });
    expect(array.status).toBe(400);
    expect(await array.json()).toMatchObject({
      error: { code: 'GW_ERR_INPUT_LIMIT', message: expect.stringContaining('more than 100000 items') },
    });

    // Within the limits the same routes still work.
    const ok = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ a: 1, b: 2 }),
    });
    expect(ok.status).toBe(200);
  });

  it('/healthz answers while property floods keep arriving', async () => {
    const flood = propertyFlood(500_000);
    let floodsDone = 0;
    const floods = Array.from({ length: 12 }, async () => {
      const response = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: flood,
      });
      expect(response.status).toBe(400);
      await response.arrayBuffer();
      floodsDone++;
    });
    // Health polls run alongside: each must answer 200, and some must answer before the floods end.
    const healthBeforeFloodsEnded: boolean[] = [];
    let polling = true;
    const polls = (async () => {
      while (polling) {
        const response = await fetch(`${gateway.url}/healthz`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        healthBeforeFloodsEnded.push(floodsDone < 12);
      }
    })();
    await Promise.all(floods);
    polling = false;
    await polls;
    expect(healthBeforeFloodsEnded.filter(Boolean).length).toBeGreaterThan(0);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
  it('hostile schemas: refused adverts are logged and left out, the rest of the node and the mesh keep serving', async () => {
    const listed = (
      (await (await fetch(`${gateway.url}/mcp/tools`)).json()) as { tools: Array<{ name: string }> }
    ).tools.map((tool) => tool.name);
    expect(listed).toEqual(expect.arrayContaining(['fixture.add', 'hostile_backtrack', 'hostile_neighbour']));
    for (const refused of ['hostile_backreference', 'hostile_keys', 'hostile_huge']) {
      expect(listed).not.toContain(refused);
      // The refusal is logged when the advert arrives, before the node's other tools are listed.
      const logged = gateway.lines
        .map(parseLine)
        .filter((entry) => entry?.msg === 'refused an advertised tool' && entry.tool === refused);
      expect(logged[0]).toMatchObject({ nodeId: 'hostile', tool: refused, reason: expect.any(String) });
    }
    const call = (tool: string, args: unknown) =>
      fetch(`${gateway.url}/mcp/tools/${tool}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(args) });
    const refusedCall = await call('hostile_backreference', { text: 'aa' });
    expect(refusedCall.status).toBe(404);
    expect(await refusedCall.json()).toMatchObject({ error: { code: 'GW_ERR_TOOL_NOT_FOUND' } });

    // The catastrophic pattern runs on a linear-time engine: a value built to backtrack is refused
    // at once, with health polls answering while a burst of them arrives.
    const evil = { text: `${'a'.repeat(50_000)}!` };
    let burstDone = 0;
    const burst = Array.from({ length: 20 }, async () => {
      const response = await call('hostile_backtrack', evil);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'GW_ERR_INVALID_ARGUMENTS' } });
      burstDone++;
    });
    const healthDuringBurst: boolean[] = [];
    let polling = true;
    const polls = (async () => {
      while (polling) {
        const response = await fetch(`${gateway.url}/healthz`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        healthDuringBurst.push(burstDone < 20);
      }
    })();
    await Promise.all(burst);
    polling = false;
    await polls;
    expect(healthDuringBurst.filter(Boolean).length).toBeGreaterThan(0);

    const good = await call('hostile_backtrack', { text: 'aaaa' });
    expect(await good.json()).toMatchObject({ result: expect.anything() });
    expect(JSON.stringify(await (await call('hostile_neighbour', { n: 21 })).json())).toContain('neighbour 42');
    expect(JSON.stringify(await (await call('fixture.add', { a: 1, b: 2 })).json())).toContain('3');
  });
});
