import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { callTool, nodeOf, waitForProviders } from '../fixtures/placement-support.js';

// Least-loaded against round-robin on a heterogeneous mesh: two fast nodes and one 8× slower node.
// The same closed-loop workload runs under each strategy; the assertion is on where calls landed
// (share of the slow node), not on absolute times. The bench reports the wall-time ratio.
const FIXTURE = 'test/fixtures/placement-tools.ts';
const CALLS = 48;
const WORKERS = 6;
const WORK_MS = 30;

async function run(
  client: Client,
  strategy: 'least-loaded' | 'round-robin',
): Promise<{ slowShare: number; wallMs: number }> {
  const ran: string[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (issued < CALLS) {
        issued++;
        const result = await callTool(client, 'place_work', { ms: WORK_MS }, { labels: { pool: 'het' }, strategy });
        expect(result.isError).toBeFalsy();
        ran.push(nodeOf(result) ?? '?');
      }
    }),
  );
  return { slowShare: ran.filter((id) => id === 'slow').length / ran.length, wallMs: performance.now() - started };
}

describe('least-loaded beats round-robin on heterogeneous nodes', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let client: Client;
  const nodes: AppProcess[] = [];

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url);
    const node = (id: string, slowdown: string) =>
      spawnNode(nats.url, [FIXTURE], {
        EASYREMOTE_NODE_ID: id,
        EASYREMOTE_NODE_LABELS: 'pool=het',
        EASYREMOTE_NODE_GPUS: 'none',
        PLACEMENT_FIXTURE_SLOWDOWN: slowdown,
      });
    nodes.push(...(await Promise.all([node('fast-1', '1'), node('fast-2', '1'), node('slow', '8')])));
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await waitForProviders(gateway.url, 'place_work', 3);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await gateway?.stop();
    await nats?.stop();
  });

  it('sends the slow node a far smaller share of the work', async () => {
    const roundRobin = await run(client, 'round-robin');
    const leastLoaded = await run(client, 'least-loaded');
    console.info(
      `round-robin: slow share ${roundRobin.slowShare.toFixed(2)}, ${roundRobin.wallMs.toFixed(0)} ms; ` +
        `least-loaded: slow share ${leastLoaded.slowShare.toFixed(2)}, ${leastLoaded.wallMs.toFixed(0)} ms`,
    );
    // Round-robin rotates blindly: a third of the calls. Least-loaded sees the slow node's calls pile up.
    expect(roundRobin.slowShare).toBeGreaterThanOrEqual(0.3);
    expect(leastLoaded.slowShare).toBeLessThan(0.2);
    expect(leastLoaded.slowShare).toBeLessThan(roundRobin.slowShare / 2);
  });
});
