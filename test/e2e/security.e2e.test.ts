import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import {
  bearer,
  cliOutput,
  createKey,
  fetchWithToken,
  modernRequest,
  postStatus,
  startTestIssuer,
  type TestIssuer,
} from '../support/security-helpers.js';

const PUBLIC_URL = 'http://mesh.example';
const AUDIENCE = `${PUBLIC_URL}/mcp`;
const METADATA_URL = `${PUBLIC_URL}/.well-known/oauth-protected-resource`;
const PER_TOOL_LIMIT = 40;

// Two authenticated gateways (one public URL, as behind a load balancer), one node, a local OAuth
// issuer: every attack gets the right status and nothing leaks.
describe('security: authentication, authorisation, limits and audit across two gateways', () => {
  let nats: NatsServerHandle;
  let issuer: TestIssuer;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let node: AppProcess;
  let admin: { key: string; id: string };

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    issuer = await startTestIssuer();
    admin = await createKey(nats.url, 'admin', ['admin']);
    const env = {
      EASYREMOTE_AUTH: 'on',
      EASYREMOTE_PUBLIC_URL: PUBLIC_URL,
      EASYREMOTE_OAUTH_ISSUER: issuer.issuer,
      EASYREMOTE_RATE_LIMIT_PER_TOOL: String(PER_TOOL_LIMIT),
      EASYREMOTE_RATE_WINDOW_MS: '600000',
      EASYREMOTE_MAX_BODY_BYTES: String(4 * 1024 * 1024),
      EASYREMOTE_MAX_STRING_LENGTH: String(1024 * 1024),
    };
    [gatewayA, gatewayB, node] = await Promise.all([
      spawnGateway(nats.url, env),
      spawnGateway(nats.url, env),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts', 'test/fixtures/secure-tools.ts', '@easyremote/toolbox'], {
        EASYREMOTE_NODE_ID: 'sec-node',
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gatewayA?.stop(), gatewayB?.stop(), node?.stop()]);
    await issuer?.close();
    await nats?.stop();
  });

  it('no credentials: 401 with a Bearer challenge naming the protected-resource metadata; health stays open', async () => {
    const rpc = await modernRequest(gatewayA.mcpUrl, 'tools/list', {});
    expect(rpc.status).toBe(401);
    expect(rpc.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA_URL}"`);
    expect(rpc.json).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, data: { code: 'AUTH_ERR_UNAUTHENTICATED' } },
    });
    const rest = await fetch(`${gatewayA.url}/mcp/tools`);
    expect(rest.status).toBe(401);
    expect(await rest.json()).toMatchObject({ error: { code: 'AUTH_ERR_UNAUTHENTICATED' } });
    expect((await fetch(`${gatewayA.url}/mcp/resources`)).status).toBe(401);
    expect(
      (
        await fetch(`${gatewayA.url}/mcp/tools/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"text":"x"}',
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${gatewayA.url}/healthz`)).status).toBe(200);
    const metadata = await (await fetch(`${gatewayA.url}/.well-known/oauth-protected-resource`)).json();
    expect(metadata).toMatchObject({
      resource: AUDIENCE,
      authorization_servers: [issuer.issuer],
      bearer_methods_supported: ['header'],
    });
  });

  it('a malformed, expired, wrong-audience or foreign-signed token is 401 invalid_token and reveals nothing', async () => {
    const tokens = {
      malformed: 'not.a.jwt',
      garbageKey: 'erk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      expired: await issuer.sign({ sub: 'alice', aud: AUDIENCE, scope: 'tools:list tools:call', expiresIn: -60 }),
      wrongAudience: await issuer.sign({
        sub: 'alice',
        aud: 'http://other.example/mcp',
        scope: 'tools:list tools:call',
      }),
      foreign: await issuer.signWithForeignKey({ sub: 'mallory', aud: AUDIENCE, scope: 'admin' }),
    };
    for (const [kind, token] of Object.entries(tokens)) {
      const response = await modernRequest(gatewayA.mcpUrl, 'tools/list', {}, bearer(token));
      expect(response.status, kind).toBe(401);
      expect(response.headers.get('www-authenticate'), kind).toMatch(
        /^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="/,
      );
      expect(response.text, kind).not.toContain('echo');
    }
    // The right token works, through the real SDK client.
    const good = await issuer.sign({ sub: 'alice', aud: AUDIENCE, scope: 'tools:list tools:call' });
    const client = await connectClient(gatewayB.mcpUrl, '2026-07-28', { fetch: fetchWithToken(good) });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    expect((await client.callTool({ name: 'fixture.add', arguments: { a: 1, b: 2 } })).structuredContent).toEqual({
      sum: 3,
    });
    await client.close();
  });

  it('a key without the tool in its scopes does not see it in tools/list and is refused the call (403 insufficient_scope)', async () => {
    const narrow = await createKey(nats.url, 'echo-only', ['tools:list', 'tools:call:echo']);
    const client = await connectClient(gatewayA.mcpUrl, '2025-11-25', { fetch: fetchWithToken(narrow.key) });
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(['echo']);
    await client.close();

    const call = await modernRequest(
      gatewayA.mcpUrl,
      'tools/call',
      { name: 'fixture.add', arguments: { a: 1, b: 2 } },
      bearer(narrow.key),
    );
    expect(call.status).toBe(403);
    expect(call.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_scope".*scope="tools:call:fixture.add"/,
    );
    expect(call.json).toMatchObject({ error: { data: { code: 'AUTH_ERR_INSUFFICIENT_SCOPE' } } });
    expect(call.text).not.toContain('"sum"');

    const rest = await fetch(`${gatewayB.url}/mcp/tools/fixture.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(narrow.key) },
      body: '{"a":1,"b":2}',
    });
    expect(rest.status).toBe(403);
    const listed = (await (await fetch(`${gatewayB.url}/mcp/tools`, { headers: bearer(narrow.key) })).json()) as {
      tools: Array<{ name: string }>;
    };
    expect(listed.tools.map((tool) => tool.name)).toEqual(['echo']);
    // Resources and prompts need their own scopes, on MCP and REST.
    expect((await modernRequest(gatewayA.mcpUrl, 'resources/list', {}, bearer(narrow.key))).status).toBe(403);
    expect((await modernRequest(gatewayA.mcpUrl, 'prompts/list', {}, bearer(narrow.key))).status).toBe(403);
    expect((await fetch(`${gatewayA.url}/mcp/resources`, { headers: bearer(narrow.key) })).status).toBe(403);
    const computeOnly = await createKey(nats.url, 'compute-reader', ['resources:read:easyremote://compute/*']);
    const resources = (await modernRequest(gatewayA.mcpUrl, 'resources/list', {}, bearer(computeOnly.key))).json as {
      result: { resources: Array<{ uri: string }> };
    };
    expect(resources.result.resources.length).toBeGreaterThan(0);
    expect(resources.result.resources.every((resource) => resource.uri.startsWith('easyremote://compute/'))).toBe(true);

    // tools:call covers every tool except the high security level; tools:high lifts that; category:<glob> grants by category.
    const general = await createKey(nats.url, 'general', ['tools:list', 'tools:call']);
    const generalList = (await modernRequest(gatewayA.mcpUrl, 'tools/list', {}, bearer(general.key))).json as {
      result: { tools: Array<{ name: string }> };
    };
    const generalNames = generalList.result.tools.map((tool) => tool.name);
    expect(generalNames).toEqual(expect.arrayContaining(['echo', 'fixture.add', 'secure_report']));
    expect(generalNames).not.toContain('secure_wipe');
    const high = await modernRequest(
      gatewayA.mcpUrl,
      'tools/call',
      { name: 'secure_wipe', arguments: {} },
      bearer(general.key),
    );
    expect(high.status).toBe(403);
    expect(high.text).not.toContain('wiped');
    const trusted = await createKey(nats.url, 'trusted', ['tools:call', 'tools:high']);
    expect(
      (await modernRequest(gatewayB.mcpUrl, 'tools/call', { name: 'secure_wipe', arguments: {} }, bearer(trusted.key)))
        .text,
    ).toContain('wiped');
    const reports = await createKey(nats.url, 'reports', ['tools:list', 'category:reports']);
    const reportList = (await modernRequest(gatewayB.mcpUrl, 'tools/list', {}, bearer(reports.key))).json as {
      result: { tools: Array<{ name: string }> };
    };
    expect(reportList.result.tools.map((tool) => tool.name)).toEqual(['secure_report']);
    // Admin operations need the admin scope.
    expect((await fetch(`${gatewayA.url}/mcp/audit?since=1h`, { headers: bearer(general.key) })).status).toBe(403);
  });

  it('a revoked key is refused on every replica within a second', async () => {
    const doomed = await createKey(nats.url, 'doomed', ['tools:list']);
    for (const gateway of [gatewayA, gatewayB]) {
      await expect
        .poll(async () => (await fetch(`${gateway.url}/mcp/tools`, { headers: bearer(doomed.key) })).status, {
          timeout: 2000,
        })
        .toBe(200);
    }
    const out = await cliOutput(['keys', 'revoke', doomed.id], { NATS_URL: nats.url });
    const revokedAt = Date.now();
    expect(out).toContain(`revoked ${doomed.id}`);
    const refusedAfter = await Promise.all(
      [gatewayA, gatewayB].map(async (gateway) => {
        for (;;) {
          if ((await fetch(`${gateway.url}/mcp/tools`, { headers: bearer(doomed.key) })).status === 401)
            return Date.now() - revokedAt;
          if (Date.now() - revokedAt > 5000) return Infinity;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    for (const ms of refusedAfter) expect(ms).toBeLessThan(1000);
    const list = await cliOutput(['keys', 'list', '--json'], { NATS_URL: nats.url });
    expect(list).not.toContain(doomed.key);
    expect(list).not.toContain('secretHash');
  });

  it('key management over REST needs the admin scope; a key revoked there is refused too', async () => {
    const general = await createKey(nats.url, 'not-admin', ['tools:list', 'tools:call']);
    const post = (token: string, body: unknown) =>
      fetch(`${gatewayA.url}/mcp/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify(body),
      });
    expect((await post(general.key, { name: 'sneaky', scopes: ['admin'] })).status).toBe(403);
    expect((await fetch(`${gatewayA.url}/mcp/keys`, { headers: bearer(general.key) })).status).toBe(403);
    const created = await post(admin.key, { name: 'from-rest', scopes: ['tools:list'] });
    expect(created.status).toBe(201);
    const { key, id } = (await created.json()) as { key: string; id: string };
    await expect
      .poll(async () => (await fetch(`${gatewayB.url}/mcp/tools`, { headers: bearer(key) })).status, { timeout: 2000 })
      .toBe(200);
    const listed = await (await fetch(`${gatewayB.url}/mcp/keys`, { headers: bearer(admin.key) })).text();
    expect(listed).toContain(id);
    expect(listed).not.toContain(key);
    expect(listed).not.toContain('secretHash');
    expect(
      (await fetch(`${gatewayB.url}/mcp/keys/${id}`, { method: 'DELETE', headers: bearer(admin.key) })).status,
    ).toBe(200);
    expect(
      (await fetch(`${gatewayB.url}/mcp/keys/ffffffffffffffff`, { method: 'DELETE', headers: bearer(admin.key) }))
        .status,
    ).toBe(404);
    await expect
      .poll(async () => (await fetch(`${gatewayA.url}/mcp/tools`, { headers: bearer(key) })).status, { timeout: 1000 })
      .toBe(401);
  });

  it(`a burst over the per-tool rate limit spread across two gateways admits exactly ${PER_TOOL_LIMIT} in total`, async () => {
    const burst = await createKey(nats.url, 'burst', ['tools:list', 'tools:call']);
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async (_, index) => {
        const gateway = index % 2 === 0 ? gatewayA : gatewayB;
        const response = await fetch(`${gateway.url}/mcp/tools/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(burst.key) },
          body: '{"text":"x"}',
        });
        if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        return response.status;
      }),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(PER_TOOL_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(100 - PER_TOOL_LIMIT);
    const rpc = await modernRequest(
      gatewayB.mcpUrl,
      'tools/call',
      { name: 'echo', arguments: { text: 'x' } },
      bearer(burst.key),
    );
    expect(rpc.json).toMatchObject({ error: { data: { code: 'AUTH_ERR_RATE_LIMITED' } } });
  });

  it('a foreign Origin is 403; an oversized body 413; an over-long string or a deeply nested body 400 before dispatch', async () => {
    const origin = await modernRequest(
      gatewayA.mcpUrl,
      'tools/list',
      {},
      { ...bearer(admin.key), origin: 'http://evil.example' },
    );
    expect(origin.status).toBe(403);
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x'.repeat(5 * 1024 * 1024) } },
    });
    expect(await postStatus(gatewayA.mcpUrl, big, bearer(admin.key))).toBe(413);
    const long = await modernRequest(
      gatewayA.mcpUrl,
      'tools/call',
      { name: 'echo', arguments: { text: 'x'.repeat(2 * 1024 * 1024) } },
      bearer(admin.key),
    );
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({ error: { data: { code: 'GW_ERR_INPUT_LIMIT' } } });
    let nested: unknown = 'deep';
    for (let level = 0; level < 200; level += 1) nested = { n: nested };
    const deep = await modernRequest(
      gatewayA.mcpUrl,
      'tools/call',
      { name: 'echo', arguments: { text: 'x', nested } },
      bearer(admin.key),
    );
    expect(deep.status).toBe(400);
    expect(deep.json).toMatchObject({ error: { code: -32600, data: { code: 'GW_ERR_INPUT_LIMIT' } } });
    expect(deep.json?.error).toMatchObject({ message: expect.stringContaining('deeper than 64') });
    const restDeep = await fetch(`${gatewayB.url}/mcp/tools/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(admin.key) },
      body: JSON.stringify({ text: 'x', nested }),
    });
    expect(restDeep.status).toBe(400);
  });

  it('under a load of N calls the audit stream holds exactly N records, with an argument digest and never the arguments', async () => {
    const N = 30;
    const caller = await createKey(nats.url, 'audited', ['tools:list', 'tools:call']);
    const secret = 'hunter2-do-not-log';
    await Promise.all(
      Array.from({ length: N }, async (_, index) => {
        const gateway = index % 2 === 0 ? gatewayA : gatewayB;
        if (index % 3 === 0) {
          const response = await fetch(`${gateway.url}/mcp/tools/echo`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...bearer(caller.key) },
            body: JSON.stringify({ text: `${secret} ${index}` }),
          });
          expect(response.status).toBe(200);
        } else {
          const response = await modernRequest(
            gateway.mcpUrl,
            'tools/call',
            { name: 'echo', arguments: { text: `${secret} ${index}` } },
            bearer(caller.key),
          );
          expect(response.status).toBe(200);
        }
      }),
    );
    const query = async () => {
      const response = await fetch(`${gatewayB.url}/mcp/audit?since=10m&principal=key:${caller.id}`, {
        headers: bearer(admin.key),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { records: Array<Record<string, unknown>> }).records;
    };
    await expect.poll(async () => (await query()).length, { timeout: 5000 }).toBe(N);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const records = await query();
    expect(records).toHaveLength(N);
    for (const record of records) {
      expect(record).toMatchObject({
        principal: `key:${caller.id}`,
        tool: 'echo',
        nodeId: 'sec-node',
        outcome: 'success',
        argumentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(typeof record.durationMs).toBe('number');
    }
    expect(new Set(records.map((record) => record.callId)).size).toBe(N);
    expect(JSON.stringify(records)).not.toContain(secret);

    const cli = await cliOutput(
      ['audit', '--since', '1h', '--tool', 'echo', '--principal', `key:${caller.id}`, '--json'],
      { NATS_URL: nats.url },
    );
    expect(JSON.parse(cli.split('\n').find((line) => line.startsWith('[')) ?? '[]')).toHaveLength(N);
  });

  it('no gateway log line carries a credential', () => {
    const logs = [...gatewayA.lines, ...gatewayB.lines].join('\n');
    expect(logs).not.toMatch(/erk_[0-9a-f]{16}_/);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });
});
