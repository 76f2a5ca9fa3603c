import { argumentsDigest, AuditLog } from '@easyremote/auth';
import { connectMesh } from '@easyremote/mesh';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForProviders } from '../fixtures/placement-support.js';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// The audit loses nothing: a call's record is acknowledged by JetStream before the caller sees the
// answer, so a gateway SIGKILLed right after a burst has stored the record of every call it answered.
const REST_CALLS = 200;
const MCP_CALLS = 100;

describe('audit durability: SIGKILL after a burst loses no record of an answered call', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url, { EASYREMOTE_AUDIT: 'on' }),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'audited' }),
    ]);
    await waitForProviders(gateway.url, 'fixture.add', 1);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.kill(), node?.stop()]);
    await nats?.stop();
  });

  it(`${REST_CALLS} REST and ${MCP_CALLS} MCP calls at once, then kill -9: every answered call has its record`, async () => {
    const client = await connectClient(gateway.mcpUrl, '2025-11-25');
    const answered: string[] = [];
    const rest = Array.from({ length: REST_CALLS }, async (_, i) => {
      const args = { a: i, b: 0.5 };
      const response = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      if (response.status === 200) answered.push(argumentsDigest(args));
      await response.arrayBuffer();
    });
    const mcp = Array.from({ length: MCP_CALLS }, async (_, i) => {
      const args = { a: i, b: 0.25 };
      const result = await client.callTool({ name: 'fixture.add', arguments: args });
      if (!result.isError) answered.push(argumentsDigest(args));
    });
    await Promise.all([...rest, ...mcp]);
    // Right after the last answer, with no graceful shutdown (no flush): SIGKILL.
    await gateway.kill();
    await client.close().catch(() => {});
    expect(answered).toHaveLength(REST_CALLS + MCP_CALLS);

    const nc = await connectMesh({ servers: nats.url });
    try {
      const audit = await AuditLog.open(nc);
      const records = await audit.query({ sinceMs: Date.now() - 10 * 60_000, tool: 'fixture.add', limit: 10_000 });
      const stored = new Set(records.map((record) => record.argumentsSha256));
      const missing = answered.filter((digest) => !stored.has(digest));
      expect(missing).toEqual([]);
      expect(records.filter((record) => record.via === 'rest')).toHaveLength(REST_CALLS);
      expect(records.filter((record) => record.via === 'mcp-2025-11-25')).toHaveLength(MCP_CALLS);
    } finally {
      await nc.close();
    }
  });
  it('fails closed: when JetStream cannot store the record, the caller gets GW_ERR_AUDIT_FAILED, not the answer', async () => {
    const second = await spawnGateway(nats.url, { EASYREMOTE_AUDIT: 'on' });
    try {
      await waitForProviders(second.url, 'fixture.add', 1);
      const call = () =>
        fetch(`${second.url}/mcp/tools/fixture.add`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ a: 1, b: 2 }),
        });
      expect((await call()).status).toBe(200);
      const nc = await connectMesh({ servers: nats.url });
      try {
        await (await jetstreamManager(nc)).streams.delete('EASYREMOTE_AUDIT');
      } finally {
        await nc.close();
      }
      const refused = await call();
      expect(refused.status).toBe(502);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('GW_ERR_AUDIT_FAILED');
      expect(JSON.stringify(body)).not.toContain('"sum"');
      const client = await connectClient(second.mcpUrl, '2025-11-25');
      try {
        await expect(client.callTool({ name: 'fixture.add', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({
          code: -32603,
          data: { code: 'GW_ERR_AUDIT_FAILED' },
        });
      } finally {
        await client.close();
      }
      expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
