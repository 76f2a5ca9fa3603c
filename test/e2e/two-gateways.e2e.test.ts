import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, firstText, type Era } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// One compute node process, two gateway processes, one nats-server: every client era works through
// either gateway, and a 2025 session started on one gateway continues on the other.
describe('two gateways, one node, real processes', () => {
  let nats: NatsServerHandle;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gatewayA, gatewayB, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnGateway(nats.url),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts', '@easyremote/toolbox'], { EASYREMOTE_NODE_ID: 'node-one' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gatewayA?.stop(), gatewayB?.stop(), node?.stop()]);
    await nats?.stop();
  });

  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  for (const era of ['2025-11-25', '2026-07-28'] as Era[]) {
    for (const which of ['A', 'B'] as const) {
      it(`${era} client lists and calls through gateway ${which}`, async () => {
        const gateway = which === 'A' ? gatewayA : gatewayB;
        const client = await connectClient(gateway.mcpUrl, era);
        clients.push(client);
        const { tools } = await client.listTools();
        const names = tools.map((tool) => tool.name);
        expect(names).toEqual([...names].sort());
        expect(names).toEqual(expect.arrayContaining(['echo', 'fixture.add', 'fixture_whoami']));
        const add = tools.find((tool) => tool.name === 'fixture.add');
        expect(add?.outputSchema).toMatchObject({ type: 'object' });

        const sum = await client.callTool({ name: 'fixture.add', arguments: { a: 2, b: 40 } });
        expect(sum.isError).toBeFalsy();
        expect(sum.structuredContent).toEqual({ sum: 42 });
        expect((sum._meta as Record<string, unknown>)['easyremote/node']).toBe('node-one');

        const echo = await client.callTool({ name: 'echo', arguments: { text: `hello ${era} ${which}` } });
        expect(JSON.stringify(echo.structuredContent ?? firstText(echo))).toContain(`hello ${era} ${which}`);
      });
    }
  }

  it('a 2025 session started on gateway A continues on gateway B', async () => {
    let initializedAt: string | undefined;
    const urls: string[] = [];
    // Send initialize to A and everything after it to B: a load balancer with no stickiness.
    const crossFetch: typeof fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const target = body.includes('"method":"initialize"') ? gatewayA.mcpUrl : gatewayB.mcpUrl;
      if (body.includes('"method":"initialize"')) initializedAt = target;
      urls.push(target);
      return fetch(target, init);
    };
    const client = await connectClient(gatewayA.mcpUrl, '2025-11-25', { fetch: crossFetch });
    clients.push(client);
    const result = await client.callTool({ name: 'fixture.add', arguments: { a: 1, b: 2 } });
    expect(result.structuredContent).toEqual({ sum: 3 });
    expect(initializedAt).toBe(gatewayA.mcpUrl);
    expect(urls.filter((url) => url === gatewayB.mcpUrl).length).toBeGreaterThanOrEqual(2);
  });

  it('REST: GET /mcp/tools and POST /mcp/tools/{name} in the seed shapes, on both gateways', async () => {
    for (const gateway of [gatewayA, gatewayB]) {
      const list = (await (await fetch(`${gateway.url}/mcp/tools`)).json()) as {
        tools: Array<Record<string, unknown>>;
      };
      const add = list.tools.find((tool) => tool.name === 'fixture.add');
      expect(add).toMatchObject({
        name: 'fixture.add',
        provider: 'node-one',
        inputSchema: { type: 'object' },
        outputSchema: { type: 'object' },
      });
      expect(typeof add?.description).toBe('string');
      const response = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: 5, b: 6 }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ result: { sum: 11 } });
    }
  });

  it('health and readiness', async () => {
    expect((await fetch(`${gatewayA.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gatewayB.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});
