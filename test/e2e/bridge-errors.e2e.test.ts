import { once } from 'node:events';
import { createServer } from 'node:net';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { createKey } from '../support/security-helpers.js';

const BRIDGE = 'apps/bridge/bin/easyremote-mcp.js';

/** Starts the real bridge process under an SDK stdio client; `stderr` collects what it tells the user. */
function bridge(
  gatewayUrl: string,
  apiKey: string | undefined,
): { transport: StdioClientTransport; client: Client; stderr: () => string } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BRIDGE],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      EASYREMOTE_GATEWAY: gatewayUrl,
      ...(apiKey === undefined ? {} : { EASYREMOTE_API_KEY: apiKey }),
    },
    stderr: 'pipe',
  });
  let text = '';
  transport.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { transport, client: new Client({ name: 'desktop', version: '1.0.0' }), stderr: () => text };
}

/** The error `connect` (the bridge's answer to initialize) rejects with. */
async function connectError(
  client: Client,
  transport: StdioClientTransport,
): Promise<{ message: string; data: Record<string, unknown> }> {
  const error = await client.connect(transport).then(
    () => undefined,
    (failure: unknown) => failure as { message: string; data?: Record<string, unknown> },
  );
  await client.close().catch(() => undefined);
  expect(error, 'connect should have failed').toBeDefined();
  return { message: String(error?.message), data: error?.data ?? {} };
}

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

// Issue 13: a desktop user must tell a refused key from a gateway that is not there, and see where.
describe('stdio bridge errors (real bridge process, real gateway)', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let key: string;
  let analyticsOnly: string;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node, { key }] = await Promise.all([
      spawnGateway(nats.url, { EASYREMOTE_AUTH: 'on' }),
      spawnNode(nats.url, ['@easyremote/toolbox'], { EASYREMOTE_NODE_ID: 'bridge-errors-node' }),
      createKey(nats.url, 'desktop', ['tools:list', 'tools:call']),
    ]);
    analyticsOnly = (await createKey(nats.url, 'analytics', ['analytics:read'])).key;
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('a valid key works through the bridge (so the refusals below are the key, not the setup)', async () => {
    const { client, transport } = bridge(gateway.url, key);
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    await client.close();
  });

  it('a bad key is reported as refused (not unreachable), naming the URL and the code', async () => {
    const { client, transport, stderr } = bridge(gateway.url, 'erk_not-a-real-key');
    const error = await connectError(client, transport);
    expect(error.message).toContain(`EasyRemote gateway at ${gateway.mcpUrl} refused the request (HTTP 401)`);
    expect(error.message).toContain('EASYREMOTE_API_KEY was not accepted');
    expect(error.message).not.toContain('unreachable');
    expect(error.data).toMatchObject({ code: 'BRIDGE_ERR_GATEWAY_REFUSED', url: gateway.mcpUrl, status: 401 });
    expect(stderr()).toContain('[BRIDGE_ERR_GATEWAY_REFUSED]');
  });

  it('a key without the scope is refused with HTTP 403, not reported as an outage', async () => {
    const { client, transport } = bridge(gateway.url, analyticsOnly);
    const failure = await client
      .connect(transport)
      .then(() => client.listTools())
      .then(
        () => undefined,
        (error: unknown) => error as { message: string; data?: Record<string, unknown> },
      );
    await client.close().catch(() => undefined);
    expect(failure, 'tools/list with an analytics-only key should fail').toBeDefined();
    expect(failure?.message).toContain(`EasyRemote gateway at ${gateway.mcpUrl} refused the request (HTTP 403)`);
    expect(failure?.data).toMatchObject({ code: 'BRIDGE_ERR_GATEWAY_REFUSED', status: 403 });
  });

  it('a missing key says that no key is set', async () => {
    const { client, transport } = bridge(gateway.url, undefined);
    const error = await connectError(client, transport);
    expect(error.message).toContain('no EASYREMOTE_API_KEY is set');
    expect(error.data).toMatchObject({ code: 'BRIDGE_ERR_GATEWAY_REFUSED', status: 401 });
  });

  it('a gateway that is not there is reported as unreachable, naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { client, transport, stderr } = bridge(url, key);
    const error = await connectError(client, transport);
    expect(error.message).toContain(`EasyRemote gateway unreachable at ${url}/mcp`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.data).toMatchObject({ code: 'BRIDGE_ERR_GATEWAY_UNREACHABLE', url: `${url}/mcp` });
    expect(stderr()).toContain('[BRIDGE_ERR_GATEWAY_UNREACHABLE]');
  });
});
