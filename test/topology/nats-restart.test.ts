import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { describeLoad, runLoad, type LoadCall } from './support/load.js';
import { mcpCallers } from './support/mcp-load.js';
import { NATS_DEV_CONF } from './support/paths.js';
import { restCaller } from './support/rest-load.js';
import { sleep, until } from './support/wait.js';

const TEST_TOOLS = 'test/fixtures/test-tools.ts';
const HEARTBEAT_MS = 1_000;
const NODE_ENV = { EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS) };

/** Every node the gateway lists, with how long ago its last heartbeat landed (the compute resources). */
async function liveNodes(client: Client): Promise<Map<string, number>> {
  const nodes = new Map<string, number>();
  const { resources } = await client.listResources();
  for (const resource of resources.filter((entry) => entry.uri.startsWith('easyremote://compute/'))) {
    const { contents } = await client.readResource({ uri: resource.uri });
    const info = JSON.parse(String((contents[0] as { text?: string }).text)) as {
      node_id: string;
      last_heartbeat_ms_ago: number;
    };
    nodes.set(info.node_id, info.last_heartbeat_ms_ago);
  }
  return nodes;
}

// The single server of a development mesh (nats/dev.conf) killed and restarted while gateways serve
// calls: nodes re-register, every gateway's registry converges, and no gateway exits.
describe('restarting the only NATS server under load', () => {
  let nats: NatsServerHandle;
  let gateways: GatewayProcess[];
  let nodes: AppProcess[];
  const clients: Client[] = [];

  beforeAll(async () => {
    nats = await startNats({ configFile: NATS_DEV_CONF, path: process.env.PATH });
    const gatewayEnv = { EASYREMOTE_CALL_TIMEOUT_MS: '3000' };
    gateways = await Promise.all([spawnGateway(nats.url, gatewayEnv), spawnGateway(nats.url, gatewayEnv)]);
    nodes = await Promise.all(
      ['node-1', 'node-2'].map((id) => spawnNode(nats.url, [TEST_TOOLS], { ...NODE_ENV, EASYREMOTE_NODE_ID: id })),
    );
    for (const gateway of gateways) clients.push(await connectClient(gateway.mcpUrl, '2026-07-28'));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await Promise.all([...(gateways ?? []), ...(nodes ?? [])].map((app) => app.stop()));
    await nats?.stop();
  });

  it('nodes re-register, the registry converges within 5 s, the gateways never crash', async () => {
    const concurrency = 10;
    const args = (worker: number, n: number) => ({ a: worker, b: n });
    await using mcp = await mcpCallers(
      gateways.map((gateway) => gateway.mcpUrl),
      concurrency,
      'fixture.add',
      args,
    );
    const rest = restCaller(
      gateways.map((gateway) => gateway.url),
      'fixture.add',
      args,
    );
    const call: LoadCall = (worker, signal) => (worker % 2 === 0 ? mcp.call(worker, signal) : rest(worker, signal));
    const load = runLoad({ concurrency, durationMs: 8_000, hangAfterMs: 8_000, call });

    await sleep(2_000);
    await nats.kill('SIGKILL');
    // A node that starts while the server is down: it keeps trying, then registers.
    const late = runCli(['node', TEST_TOOLS], { NATS_URL: nats.url, ...NODE_ENV, EASYREMOTE_NODE_ID: 'node-3' });
    nodes.push(late);
    await sleep(500);
    await nats.restart();
    const restartedAt = Date.now();

    // Converged: every gateway lists all three nodes, each with a heartbeat that landed after the restart.
    for (const client of clients) {
      await until(
        'every node listed with a fresh heartbeat on every gateway',
        async () => {
          const seen = await liveNodes(client);
          return ['node-1', 'node-2', 'node-3'].every((id) => (seen.get(id) ?? Infinity) < Date.now() - restartedAt);
        },
        10_000,
        100,
      );
    }
    const convergedMs = Date.now() - restartedAt;
    const report = await load;
    console.log(
      `${describeLoad('single server killed at 2 s, restarted 0.5 s later', report)}\n  registry converged ${convergedMs} ms after the restart`,
    );

    expect(convergedMs).toBeLessThan(5_000);
    expect(report.hanging).toBe(0);
    for (const gateway of gateways) {
      expect(gateway.child.exitCode).toBeNull();
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    }
    // The load is back to normal: a burst after the restart fails nothing.
    const after = await runLoad({ concurrency, durationMs: 1_000, hangAfterMs: 5_000, call });
    expect(after.failed + after.hanging).toBe(0);
  });
});
