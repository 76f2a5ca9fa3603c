import { MCPClient, RemoteToolError } from '@easyremote/client';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// The seed's MCPClient against a real gateway and node, in both protocol eras.
describe('MCPClient', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['@easyremote/toolbox', 'test/fixtures/test-tools.ts'], {
        EASYREMOTE_NODE_ID: 'client-lib-node',
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  for (const era of ['legacy', 'modern', 'auto'] as const) {
    it(`${era}: connects, lists and calls tools, reads resources`, async () => {
      await using client = new MCPClient(gateway.url, { era });
      await client.connect();
      const names = (await client.listTools()).map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['echo', 'fixture.add']));
      expect(await client.callTool('fixture.add', { a: 20, b: 22 })).toEqual({ sum: 42 });
      expect(await client.callTool('fixture_whoami')).toBe('client-lib-node');
      const info = (await client.readResource('easyremote://compute/client-lib-node')) as { node_id: string };
      expect(info.node_id).toBe('client-lib-node');
      const failure = await client.callTool('fixture_tool_error').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RemoteToolError);
      expect(failure).toMatchObject({ code: 'FIXTURE_ERR_REFUSED' });
    });
  }
});
