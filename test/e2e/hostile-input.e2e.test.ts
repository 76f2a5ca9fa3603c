import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { waitForProviders } from '../fixtures/placement-support.js';

// Work before validation is bounded: a property flood is refused as cheaply as a deep body, on every
// route that takes one, and /healthz keeps answering while floods arrive.
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

const propertyFlood = (count: number) => `{${Array.from({ length: count }, (_, i) => `"k${i}":0`).join(',')}}`;

describe('hostile input: floods are refused before parsing and health stays up', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'fixtures' }),
    ]);
    await waitForProviders(gateway.url, 'fixture.add', 1);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('a 500k-property body is a 400 GW_ERR_INPUT_LIMIT on REST and on /mcp; a huge array too', async () => {
    const flood = propertyFlood(500_000);
    const rest = await fetch(`${gateway.url}/mcp/tools/fixture.add`, { method: 'POST', headers: JSON_HEADERS, body: flood });
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({ error: { code: 'GW_ERR_INPUT_LIMIT', message: expect.stringContaining('more than 10000 members') } });

    const rpc = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fixture.add","arguments":${flood}}}`;
    const mcp = await fetch(gateway.mcpUrl, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-protocol-version': '2026-07-28' }, body: rpc });
    expect(mcp.status).toBe(400);
    expect(await mcp.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, data: { code: 'GW_ERR_INPUT_LIMIT' } } });

    const items = `{"a":[${Array.from({ length: 200_001 }, () => '0').join(',')}]}`;
    const array = await fetch(`${gateway.url}/mcp/tools/fixture.add`, { method: 'POST', headers: JSON_HEADERS, body: items });
    expect(array.status).toBe(400);
    expect(await array.json()).toMatchObject({ error: { code: 'GW_ERR_INPUT_LIMIT', message: expect.stringContaining('more than 100000 items') } });

    // Within the limits the same routes still work.
    const ok = await fetch(`${gateway.url}/mcp/tools/fixture.add`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ a: 1, b: 2 }) });
    expect(ok.status).toBe(200);
  });

  it('/healthz answers while property floods keep arriving', async () => {
    const flood = propertyFlood(500_000);
    let floodsDone = 0;
    const floods = Array.from({ length: 12 }, async () => {
      const response = await fetch(`${gateway.url}/mcp/tools/fixture.add`, { method: 'POST', headers: JSON_HEADERS, body: flood });
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
});
