import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, firstText } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type GatewayProcess } from '../support/processes.js';

const HEARTBEAT_MS = 500;
const TTL_MS = 3 * HEARTBEAT_MS;

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

/** Polls until `predicate` holds; returns the milliseconds it took. */
async function waitUntil(predicate: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await predicate()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('nodes joining and leaving', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let client: Client;
  const nodeEnv = (id: string) => ({ EASYREMOTE_NODE_ID: id, EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS) });

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url);
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await nats?.stop();
  });

  it('a node that stops gracefully disappears from tools/list at once', async () => {
    const node = await spawnNode(nats.url, ['test/fixtures/test-tools.ts'], nodeEnv('graceful'));
    await waitUntil(async () => (await toolNames(client)).includes('fixture.add'), 5_000);
    expect(await node.stop()).toBe(0);
    // "At once": well before the heartbeat TTL could have expired it.
    const elapsed = await waitUntil(async () => !(await toolNames(client)).includes('fixture.add'), TTL_MS);
    expect(elapsed).toBeLessThan(TTL_MS);
  });

  it('a node killed with SIGKILL disappears within the heartbeat TTL + 1 s', async () => {
    const node = await spawnNode(nats.url, ['test/fixtures/test-tools.ts'], nodeEnv('doomed'));
    await waitUntil(async () => (await toolNames(client)).includes('fixture.add'), 5_000);
    await node.kill();
    const elapsed = await waitUntil(async () => !(await toolNames(client)).includes('fixture.add'), TTL_MS + 1_000);
    expect(elapsed).toBeLessThanOrEqual(TTL_MS + 1_000);
  });

  it('two nodes with the same tool both serve calls', async () => {
    const [one, two] = await Promise.all([
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], nodeEnv('twin-one')),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], nodeEnv('twin-two')),
    ]);
    try {
      await waitUntil(async () => {
        const list = (await (await fetch(`${gateway.url}/mcp/tools`)).json()) as {
          tools: Array<{ name: string; providers: string[] }>;
        };
        return list.tools.find((tool) => tool.name === 'fixture_whoami')?.providers.length === 2;
      }, 5_000);
      const served = new Set<string>();
      for (let i = 0; i < 60 && served.size < 2; i++) {
        served.add(firstText(await client.callTool({ name: 'fixture_whoami', arguments: {} })));
      }
      expect([...served].sort()).toEqual(['twin-one', 'twin-two']);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });
});
