import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { eventually, nodeCallCounts } from '../support/node-calls.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { once } from 'node:events';
import { bearer, cliOutput, createKey, fetchWithToken } from '../support/security-helpers.js';
import { runCli } from '../support/processes.js';

interface Conflict {
  tool: string;
  nodeId: string;
  reason: string;
}

// The dev mesh (no NATS authentication): a rogue node joins after the real one and re-advertises its
// tools — vault_run without its high security level, ledger_read with a looser schema — under a node id
// that sorts first (the old merge picked the smallest id). The gateway runs the `queue` strategy, so
// a call that reached the tool's queue group could land on the rogue too.
describe('dev mesh: a node cannot take over or downgrade another node’s tool', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let real: AppProcess;
  let rogue: AppProcess;
  let rogueMetrics: string;
  let admin: string;
  let narrow: string;

  const rest = (tool: string, args: unknown, key: string) =>
    fetch(`${gateway.url}/mcp/tools/${tool}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify(args),
    });
  const conflicts = async (): Promise<Conflict[]> =>
    (
      (await (await fetch(`${gateway.url}/mcp/dashboard/state`, { headers: bearer(admin) })).json()) as {
        conflicts: Conflict[];
      }
    ).conflicts;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [{ key: admin }, { key: narrow }] = await Promise.all([
      createKey(nats.url, 'admin', ['admin']),
      createKey(nats.url, 'narrow', ['tools:list', 'tools:call']),
    ]);
    gateway = await spawnGateway(nats.url, { EASYREMOTE_AUTH: 'on', EASYREMOTE_PLACEMENT_STRATEGY: 'queue' });
    real = await spawnNode(nats.url, ['test/fixtures/entitlement-tools.ts'], { EASYREMOTE_NODE_ID: 'zz-real' });
    await eventually(
      'the real node’s tools listed',
      async () => (await rest('vault_run', { code: '1' }, admin)).status === 200,
    );
    rogue = await spawnNode(nats.url, ['test/fixtures/rogue-tools.ts'], {
      EASYREMOTE_NODE_ID: 'aa-rogue',
      EASYREMOTE_METRICS_PORT: '0',
    });
    rogueMetrics = String((await rogue.waitForLog('node serving')).metrics);
    await eventually('both conflicts reported', async () => (await conflicts()).length === 2);
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), real?.stop(), rogue?.stop()]);
    await nats?.stop();
  });

  it('a key without tools:high still cannot call the high tool the rogue re-advertised without its level', async () => {
    const refused = await rest('vault_run', { code: 'cat /etc/shadow' }, narrow);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'AUTH_ERR_INSUFFICIENT_SCOPE' } });
    const client = await connectClient(gateway.mcpUrl, '2026-07-28', { fetch: fetchWithToken(narrow) });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['ledger_read']);
    } finally {
      await client.close();
    }
    const listed = (await (await fetch(`${gateway.url}/mcp/tools`, { headers: bearer(admin) })).json()) as {
      tools: Array<{ name: string; providers: string[]; metadata?: { securityLevel?: string } }>;
    };
    expect(listed.tools.find((tool) => tool.name === 'vault_run')).toMatchObject({
      providers: ['zz-real'],
      metadata: { securityLevel: 'high' },
    });
  });

  it('every call goes to the approved node only, and the approved (strict) schema is the one enforced', async () => {
    for (let i = 0; i < 20; i++) {
      const vault = await rest('vault_run', { code: `job ${i}` }, admin);
      expect(await vault.json()).toMatchObject({ result: 'ran on zz-real', node: 'zz-real' });
      const ledger = await rest('ledger_read', { account: `acct-${i}` }, narrow);
      expect(await ledger.json()).toMatchObject({ result: `ledger acct-${i} from zz-real`, node: 'zz-real' });
    }
    // Accepted by the rogue's looser schema, refused by the approved one.
    const loose = await rest('ledger_read', { account: '../../etc/passwd' }, narrow);
    expect(loose.status).toBe(400);
    expect(await loose.json()).toMatchObject({ error: { code: 'GW_ERR_INVALID_ARGUMENTS' } });
    expect(await nodeCallCounts(rogueMetrics)).toEqual({});
  });

  it('the conflict shows in the dashboard state, the gateway log and the easyremote_tool_conflicts metric', async () => {
    expect((await conflicts()).map(({ tool, nodeId, reason }) => ({ tool, nodeId, reason }))).toEqual([
      { tool: 'ledger_read', nodeId: 'aa-rogue', reason: 'descriptor-differs' },
      { tool: 'vault_run', nodeId: 'aa-rogue', reason: 'security-downgrade' },
    ]);
    const logged = gateway.lines
      .filter((line) => line.includes('node gets no calls for a tool it advertises'))
      .map((line) => JSON.parse(line) as Conflict & { level: number });
    expect(logged.map(({ tool, nodeId, reason, level }) => ({ tool, nodeId, reason, level }))).toEqual([
      { tool: 'ledger_read', nodeId: 'aa-rogue', reason: 'descriptor-differs', level: 40 },
      { tool: 'vault_run', nodeId: 'aa-rogue', reason: 'security-downgrade', level: 40 },
    ]);
    const families = parsePrometheusTextFormat(
      await (await fetch(`${gateway.url}/metrics`, { headers: bearer(admin) })).text(),
    );
    const samples = families.find((family) => family.name === 'easyremote_tool_conflicts')?.metrics ?? [];
    expect(
      samples.map((sample) => [sample.labels?.tool, sample.labels?.node, sample.labels?.reason, sample.value]),
    ).toEqual([
      ['ledger_read', 'aa-rogue', 'descriptor-differs', '1'],
      ['vault_run', 'aa-rogue', 'security-downgrade', '1'],
    ]);
  });

  it('when the real node leaves, the rogue cannot take its tools over: no lower level, no looser schema', async () => {
    await real.stop();
    await eventually(
      'vault_run and ledger_read unserved',
      async () =>
        (await rest('vault_run', { code: 'x' }, admin)).status === 404 &&
        (await rest('ledger_read', { account: 'acct-1' }, admin)).status === 404,
    );
    expect((await conflicts()).map(({ tool, nodeId, reason }) => ({ tool, nodeId, reason }))).toEqual([
      { tool: 'ledger_read', nodeId: 'aa-rogue', reason: 'descriptor-differs' },
      { tool: 'vault_run', nodeId: 'aa-rogue', reason: 'security-downgrade' },
    ]);
    expect(await nodeCallCounts(rogueMetrics)).toEqual({});
  });

  it('easyremote grants refuses bad input with a stable code and manages grants in scriptable form', async () => {
    const failing = async (args: string[]) => {
      const app = runCli(args, { NATS_URL: nats.url, LOG_LEVEL: 'warn' });
      const [code] = (await once(app.child, 'exit')) as [number | null];
      return { code, out: app.lines.join('\n') };
    };
    expect(await failing(['grants', 'set', 'gpu 1', 'echo'])).toMatchObject({
      code: 1,
      out: expect.stringMatching(/invalid node id "gpu 1".*\[REG_ERR_INVALID_GRANT\]/),
    });
    expect(await failing(['grants', 'set', 'gpu-1', 'tools.>'])).toMatchObject({
      code: 1,
      out: expect.stringMatching(/invalid tool glob "tools.>".*\[REG_ERR_INVALID_GRANT\]/),
    });
    expect(await failing(['grants', 'revoke', 'nobody'])).toMatchObject({
      code: 1,
      out: expect.stringMatching(/node nobody has no grant \[REG_ERR_GRANT_NOT_FOUND\]/),
    });
    expect(await failing(['grants', 'approve', 'vault_run'])).toMatchObject({
      code: 1,
      out: expect.stringContaining('needs --node'),
    });
    expect(await failing(['grants', 'list', 'extra'])).toMatchObject({
      code: 1,
      out: expect.stringContaining('unexpected argument "extra"'),
    });

    const env = { NATS_URL: nats.url };
    expect(JSON.parse(await cliOutput(['grants', 'set', 'gpu-9', 'vault_*,echo', '--json'], env))).toMatchObject({
      nodeId: 'gpu-9',
      tools: ['vault_*', 'echo'],
    });
    const listed = JSON.parse(await cliOutput(['grants', 'list', '--json'], env)) as {
      grants: unknown[];
      approved: Array<{ tool: string; nodeId: string; securityLevel: string }>;
    };
    expect(listed.grants).toMatchObject([{ nodeId: 'gpu-9', tools: ['vault_*', 'echo'] }]);
    expect(listed.approved).toContainEqual(
      expect.objectContaining({ tool: 'vault_run', nodeId: 'zz-real', securityLevel: 'high' }),
    );
    expect(JSON.parse(await cliOutput(['grants', 'revoke', 'gpu-9', '--json'], env))).toMatchObject({
      nodeId: 'gpu-9',
    });
  });
});
