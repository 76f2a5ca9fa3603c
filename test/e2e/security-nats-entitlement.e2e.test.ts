import { once } from 'node:events';
import { freePorts, startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { natsToolSubjects } from '@easyremote/registry';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCerts, leafUser, nodeUser, secureHubConfig, type TestCerts } from '../support/nats-secure.js';
import { eventually, nodeCallCounts } from '../support/node-calls.js';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { cliOutput } from '../support/security-helpers.js';

const GATEWAY = { user: 'gateway', password: 'gateway-secret' };

interface RestTool {
  name: string;
  providers: string[];
}

// The hardened mesh of nats/secure: TLS, a gateway user, one user per compute node rendered from
// node-user.conf.tmpl with the tool subjects of its grant, and an edge site whose leaf server
// authenticates as the site's leaf user (leaf-user.conf.tmpl). gpu-2 holds valid credentials and
// advertises gpu-1's tools under its own id, with identical descriptors: only grants tell them apart.
describe('nats/secure: a node serves only the tools it is granted, and a leaf carries only what its site needs', () => {
  let certs: TestCerts;
  let hub: NatsServerHandle;
  let leaf: NatsServerHandle;
  let gateway: GatewayProcess;
  let real: AppProcess;
  let rogue: AppProcess;
  let edge: AppProcess;
  let rogueMetrics: string;
  const opened: NatsConnection[] = [];
  let cliEnv: Record<string, string>;

  const tools = async (): Promise<RestTool[]> =>
    ((await (await fetch(`${gateway.url}/mcp/tools`)).json()) as { tools: RestTool[] }).tools;
  const call = async (tool: string, args: unknown = {}) => {
    const response = await fetch(`${gateway.url}/mcp/tools/${tool}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    return {
      status: response.status,
      body: (await response.json()) as { result?: unknown; node?: string; error?: { code: string } },
    };
  };
  const hubClient = async () => {
    const nc = await connect({
      servers: hub.url,
      user: GATEWAY.user,
      pass: GATEWAY.password,
      tls: { caFile: certs.ca },
    });
    opened.push(nc);
    return nc;
  };

  beforeAll(async () => {
    certs = generateCerts();
    const [leafPort] = (await freePorts(1)) as [number];
    const users = [
      `{ user: ${JSON.stringify(GATEWAY.user)}, password: ${JSON.stringify(GATEWAY.password)}, permissions: { publish: ">", subscribe: ">" } }`,
      nodeUser('gpu-1', 'pw-1', natsToolSubjects(['fixture*'])),
      // The rogue's own grant names another tool, so nats-server refuses its subscriptions to gpu-1's tool subjects.
      nodeUser('gpu-2', 'pw-2', natsToolSubjects(['other_tool'])),
      leafUser('edge-1', 'pw-leaf', 'edge-1', natsToolSubjects(['edge_reading'])),
    ];
    hub = await startNats({
      path: process.env.PATH,
      jetstreamDomain: 'hub',
      config: secureHubConfig(certs, users, leafPort),
    });
    // The edge site's server: its node has its own user there; `spy` stands for whoever controls the site.
    leaf = await startNats({
      path: process.env.PATH,
      jetstream: false,
      config: [
        `authorization { users = [\n${nodeUser('edge-1', 'pw-e', natsToolSubjects(['edge_reading']))}\n{ user: spy, password: spy }\n] }`,
        `leafnodes { remotes = [ { url: "nats-leaf://leaf-edge-1:pw-leaf@127.0.0.1:${leafPort}", tls: { ca_file: ${JSON.stringify(certs.ca)} } } ] }`,
      ].join('\n'),
    });
    cliEnv = { NATS_URL: hub.url, NATS_USER: GATEWAY.user, NATS_PASSWORD: GATEWAY.password, NATS_CA: certs.ca };
    // The operator grants over the TLS + user mesh, as the gateway connects.
    await cliOutput(['grants', 'set', 'gpu-1', 'fixture*'], cliEnv);
    await cliOutput(['grants', 'set', 'edge-1', 'edge_reading'], cliEnv);
    gateway = await spawnGateway(hub.url, {
      NATS_USER: GATEWAY.user,
      NATS_PASSWORD: GATEWAY.password,
      NATS_CA: certs.ca,
    });
    const secure = (nodeId: string, password: string) => ({
      NATS_USER: `node-${nodeId}`,
      NATS_PASSWORD: password,
      NATS_CA: certs.ca,
      EASYREMOTE_NODE_ID: nodeId,
    });
    [real, rogue, edge] = await Promise.all([
      spawnNode(hub.url, ['test/fixtures/test-tools.ts'], secure('gpu-1', 'pw-1')),
      spawnNode(hub.url, ['test/fixtures/test-tools.ts'], { ...secure('gpu-2', 'pw-2'), EASYREMOTE_METRICS_PORT: '0' }),
      spawnNode(leaf.url, ['test/topology/fixtures/edge-tools.ts'], {
        NATS_USER: 'node-edge-1',
        NATS_PASSWORD: 'pw-e',
        EASYREMOTE_NODE_ID: 'edge-1',
        EASYREMOTE_JS_DOMAIN: 'hub',
      }),
    ]);
    rogueMetrics = String((await rogue.waitForLog('node serving')).metrics);
    await eventually('every node registered', async () => {
      const listed = await tools();
      return (
        listed.some((tool) => tool.name === 'edge_reading') && listed.some((tool) => tool.name === 'fixture_whoami')
      );
    });
  });

  afterAll(async () => {
    await Promise.all(opened.map((nc) => nc.close().catch(() => undefined)));
    await Promise.all([gateway?.stop(), real?.stop(), rogue?.stop(), edge?.stop()]);
    await leaf?.stop();
    await hub?.stop();
  });

  it('a node advertising another node’s tool names receives no call; the granted node gets all of them', async () => {
    expect(
      (await tools())
        .filter((tool) => tool.name.startsWith('fixture'))
        .every((tool) => tool.providers.join() === 'gpu-1'),
    ).toBe(true);
    for (let i = 0; i < 30; i++) {
      const answer = await call('fixture_whoami');
      expect(answer.body).toMatchObject({ result: 'gpu-1', node: 'gpu-1' });
    }
    expect((await call('fixture.add', { a: 40, b: 2 })).body).toMatchObject({ node: 'gpu-1' });
    expect(await nodeCallCounts(rogueMetrics)).toEqual({});
    const state = (await (await fetch(`${gateway.url}/mcp/dashboard/state`)).json()) as {
      conflicts: Array<{ tool: string; nodeId: string; reason: string }>;
    };
    expect(
      state.conflicts.filter((conflict) => conflict.nodeId === 'gpu-2').map((conflict) => conflict.reason),
    ).toContain('not-granted');
    expect(state.conflicts.find((conflict) => conflict.tool === 'fixture_whoami')).toMatchObject({
      nodeId: 'gpu-2',
      reason: 'not-granted',
    });
    // And nats-server itself refused the rogue's queue subscription to the tool subject it was not granted.
    expect(
      rogue.lines.some((line) => line.includes('subscription error') && line.includes('tools.fixture_whoami')),
    ).toBe(true);
  });

  it('an edge node behind a leaf server with the minimal leaf user registers through the hub’s JetStream domain and serves its tool', async () => {
    expect((await tools()).find((tool) => tool.name === 'edge_reading')?.providers).toEqual(['edge-1']);
    expect((await call('edge_reading')).body).toMatchObject({ result: 'reading from edge-1', node: 'edge-1' });
  });

  it('the leaf link carries nothing else: the edge cannot read hub traffic, forge cancellations or adverts, or touch JetStream', async () => {
    const spy = await connect({ servers: leaf.url, user: 'spy', pass: 'spy' });
    opened.push(spy);
    const seen: string[] = [];
    for (const subject of ['nodes.gpu-1.>', 'gateways.>', '_INBOX.>', 'tools.>', '$KV.>']) {
      spy.subscribe(subject, { callback: (_error, message) => void seen.push(message.subject) });
    }
    await spy.flush();
    const hubNc = await hubClient();
    const atHub: string[] = [];
    for (const subject of ['calls.cancel', 'gateways.>', 'tools.>', 'nodes.gpu-1.>']) {
      hubNc.subscribe(subject, { callback: (_error, message) => void atHub.push(message.subject) });
    }
    await hubNc.flush();
    // Let interest settle across the link (the edge node's own subscriptions are known to work already).
    await new Promise((resolve) => setTimeout(resolve, 500));

    for (let i = 0; i < 5; i++) expect((await call('fixture_whoami')).body).toMatchObject({ node: 'gpu-1' });
    hubNc.publish('gateways.gw-1.notify', 'hub only');
    await hubNc.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing of the hub's traffic reached the edge (checked before the spy publishes: its own
    // publishes reach its own subscriptions at the edge, as on any server).
    expect(seen).toEqual([]);
    const registry = await new Kvm(hubNc).open('easyremote-registry');
    const before = (await registry.get('gpu-1'))?.revision;
    for (const subject of ['calls.cancel', 'gateways.cancel', 'tools.fixture_whoami', 'nodes.gpu-1.call'])
      spy.publish(subject, '{"callId":"x"}');
    spy.publish('$JS.hub.API.$KV.easyremote-registry.gpu-1', '{"forged":true}');
    spy.publish('$JS.hub.API.$KV.easyremote-grants.node.edge-1', '{"nodeId":"edge-1","tools":["*"]}');
    const deleted = await spy.request('$JS.hub.API.STREAM.DELETE.KV_easyremote-grants', '', { timeout: 1000 }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await spy.flush();
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(atHub.filter((subject) => !subject.startsWith('nodes.gpu-1.'))).toEqual(['gateways.gw-1.notify']);
    expect(deleted).not.toBe('answered');
    const grants = await new Kvm(hubNc).open('easyremote-grants');
    expect((await grants.get('node.edge-1'))?.json()).toMatchObject({ tools: ['edge_reading'] });
    const latest = await registry.get('gpu-1');
    expect(latest?.json()).toMatchObject({ nodeId: 'gpu-1' });
    expect(latest!.revision).toBeGreaterThanOrEqual(before ?? 0);
  });

  it('easyremote keys, audit and grants work against the TLS + user mesh with the gateway’s NATS settings', async () => {
    const created = JSON.parse(
      await cliOutput(['keys', 'create', '--name', 'ops', '--scopes', 'tools:list', '--json'], cliEnv),
    ) as { id: string };
    const keys = JSON.parse(await cliOutput(['keys', 'list', '--json'], cliEnv)) as Array<{ id: string; name: string }>;
    expect(keys).toContainEqual(expect.objectContaining({ id: created.id, name: 'ops' }));
    await eventually('the calls audited', async () => {
      const records = JSON.parse(
        await cliOutput(['audit', '--since', '10m', '--tool', 'fixture_whoami', '--json'], cliEnv),
      ) as Array<{ tool: string; nodeId: string }>;
      return records.length >= 30 && records.every((record) => record.nodeId === 'gpu-1');
    });
    const listed = JSON.parse(await cliOutput(['grants', 'list', '--json'], cliEnv)) as {
      grants: Array<{ nodeId: string; tools: string[] }>;
      approved: Array<{ tool: string; nodeId: string }>;
    };
    expect(listed.grants.map((grant) => [grant.nodeId, grant.tools])).toEqual([
      ['edge-1', ['edge_reading']],
      ['gpu-1', ['fixture*']],
    ]);
    expect(listed.approved.find((pin) => pin.tool === 'fixture_whoami')).toMatchObject({ nodeId: 'gpu-1' });
    expect(JSON.parse(await cliOutput(['grants', 'subjects', 'edge-1', '--json'], cliEnv))).toEqual([
      'tools.edge_reading',
    ]);

    // Without the CA the TLS handshake fails; without credentials the server refuses: both say so and exit 1.
    for (const env of [
      { ...cliEnv, NATS_CA: undefined },
      { ...cliEnv, NATS_USER: undefined, NATS_PASSWORD: undefined },
    ]) {
      const app = runCli(['keys', 'list'], { ...env, LOG_LEVEL: 'warn' });
      const [code] = (await once(app.child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(app.lines.join('\n')).toMatch(/easyremote: (could not reach NATS|NATS at .* refused the credentials)/);
    }
  });
});
