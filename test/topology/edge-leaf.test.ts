import { startCluster, startLeaf, type ClusterHandle, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { directCaller, type DirectCaller } from './support/leaf-caller.js';
import { EDGE_TOOLS, NATS_CLUSTER_CONF, NATS_LEAF_CONF, SITE_TOOLS } from './support/paths.js';
import { moveStreamLeadersOff } from './support/stream-leaders.js';
import { until } from './support/wait.js';

interface RestTool {
  name: string;
  providers: string[];
}

async function restTools(gateway: GatewayProcess): Promise<RestTool[]> {
  return ((await (await fetch(`${gateway.url}/mcp/tools`)).json()) as { tools: RestTool[] }).tools;
}

async function callRest(gateway: GatewayProcess, tool: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${gateway.url}/mcp/tools/${tool}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: response.status, body: await response.text() };
}

/** Calls `tool` `times` times and counts which node answered. */
async function tally(caller: DirectCaller, tool: string, times: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < times; i++) {
    const nodeId = await caller.call(tool);
    counts[nodeId] = (counts[nodeId] ?? 0) + 1;
  }
  return counts;
}

// An edge site: a leaf server (nats/leaf.conf, JetStream domain `edge`) attached to hub-3 of the hub
// cluster. The edge node registers through the hub's JetStream domain; the gateway sits on hub-1 and
// a second node serving the same site tools on hub-2.
describe('edge node on a leaf server', () => {
  let cluster: ClusterHandle;
  let leaf: NatsServerHandle;
  let gateway: GatewayProcess;
  let hubNode: AppProcess;
  let edgeNode: AppProcess;
  let edgeCaller: DirectCaller;

  beforeAll(async () => {
    cluster = await startCluster({ configFile: NATS_CLUSTER_CONF, path: process.env.PATH });
    const [hub1, hub2] = cluster.urls as [string, string, string];
    leaf = await startLeaf({
      configFile: NATS_LEAF_CONF,
      hubLeafUrls: [cluster.members[2]!.leafUrl],
      path: process.env.PATH,
    });
    const mesh = { EASYREMOTE_KV_REPLICAS: '3', EASYREMOTE_HEARTBEAT_MS: '500' };
    [gateway, hubNode, edgeNode] = await Promise.all([
      spawnGateway(hub1, { EASYREMOTE_KV_REPLICAS: '3', EASYREMOTE_CALL_TIMEOUT_MS: '3000' }),
      spawnNode(hub2, [SITE_TOOLS], { ...mesh, EASYREMOTE_NODE_ID: 'hub-node' }),
      spawnNode(leaf.url, [SITE_TOOLS, EDGE_TOOLS], {
        ...mesh,
        EASYREMOTE_NODE_ID: 'edge-node',
        EASYREMOTE_JS_DOMAIN: 'hub',
      }),
    ]);
    edgeCaller = await directCaller(leaf.url);
  });

  afterAll(async () => {
    await edgeCaller?.[Symbol.asyncDispose]();
    await Promise.all([gateway?.stop(), hubNode?.stop(), edgeNode?.stop()]);
    await leaf?.stop();
    await cluster?.stop();
  });

  it("registers through the hub's JetStream domain: its tools are listed and callable at the hub", async () => {
    await until(
      'the edge tool listed by the gateway',
      async () => (await restTools(gateway)).some((tool) => tool.name === 'edge_reading'),
      10_000,
    );
    const site = (await restTools(gateway)).find((tool) => tool.name === 'site_whoami');
    expect(site?.providers.sort()).toEqual(['edge-node', 'hub-node']);
    const reading = await callRest(gateway, 'edge_reading');
    expect(reading.status).toBe(200);
    expect(reading.body).toContain('reading from edge-node');
  });

  it('a caller on the edge leaf is served by the edge node first (local-first queue groups)', async () => {
    expect(await tally(edgeCaller, 'site_whoami', 40)).toEqual({ 'edge-node': 40 });
  });

  it('cut the leaf link: the edge keeps serving its callers, the hub drops the edge node; restore: it reappears', async () => {
    const hub3 = cluster.members[2]!.server;
    // The cut is the subject here, not a stream leader election: streams hub-3 leads (registry,
    // audit) move first, so the hub's calls and its registry sweep do not wait for an election.
    await moveStreamLeadersOff(cluster.urls[0]!, cluster.members[2]!.name);
    await hub3.kill('SIGKILL');
    const cutAt = Date.now();

    // The edge site works on its own.
    expect(await tally(edgeCaller, 'site_whoami', 20)).toEqual({ 'edge-node': 20 });
    expect(await edgeCaller.call('edge_reading')).toBe('edge-node');

    // At the hub, a call to the edge-only tool ends in a clear error rather than waiting out the call
    // timeout (its subscription left with the route: no responders, or no node in the registry; once
    // the registry's sweep has dropped the edge node, its only provider, the tool itself is unknown),
    // and the gateway forgets the node; the shared tool is served by the hub node. How long the
    // refusal takes is not asserted (a machine under load is slow; the code says what happened).
    const refused = await callRest(gateway, 'edge_reading');
    const refusedAfterMs = Date.now() - cutAt;
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body).toMatch(/GW_ERR_(NO_NODE|NODE_GONE|TOOL_NOT_FOUND)/);
    await until(
      'edge tool gone from the hub',
      async () => !(await restTools(gateway)).some((tool) => tool.name === 'edge_reading'),
      5_000,
    );
    const goneAfterMs = Date.now() - cutAt;
    for (let i = 0; i < 5; i++) expect((await callRest(gateway, 'site_whoami')).body).toContain('hub-node');

    // Restore the link: the leaf reconnects by itself and the edge node's next heartbeat reaches the hub.
    await hub3.restart();
    const restoredAt = Date.now();
    await until(
      'edge tool back at the hub',
      async () => (await restTools(gateway)).some((tool) => tool.name === 'edge_reading'),
      15_000,
    );
    const backAfterMs = Date.now() - restoredAt;
    const reading = await callRest(gateway, 'edge_reading');
    expect(reading.status).toBe(200);
    expect(await tally(edgeCaller, 'site_whoami', 10)).toEqual({ 'edge-node': 10 });
    console.log(
      `leaf link cut: hub call to the edge tool refused after ${refusedAfterMs} ms (${refused.body.slice(0, 120)}), edge node gone from the hub list after ${goneAfterMs} ms, back ${backAfterMs} ms after the hub member restarted`,
    );
  });
});
