import { startNats, freePorts, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { generateCerts, nodeUser, secureServerConfig, type TestCerts } from '../support/nats-secure.js';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { cliOutput } from '../support/security-helpers.js';
import { TaskClient } from '../support/task-client.js';

const GATEWAY_PASSWORD = 'gateway-secret';

// The real gateway and node processes on a NATS server that requires TLS and per-node users
// (nats/secure): they connect with NATS_USER/NATS_PASSWORD and NATS_CA, the node reads replies under
// its own inbox prefix, and calls flow end to end; a node cannot register under another node's id.
describe('gateway and nodes on a secured NATS server', () => {
  let certs: TestCerts;
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    certs = generateCerts();
    const [leafPort] = (await freePorts(1)) as [number];
    const users = [
      `{ user: "gateway", password: ${JSON.stringify(GATEWAY_PASSWORD)}, permissions: { publish: ">", subscribe: ">" } }`,
      nodeUser('gpu-1', 'pw-a'),
    ];
    nats = await startNats({
      path: process.env.PATH,
      config: secureServerConfig(certs, users, leafPort, 'leaf-secret'),
    });
    // A gateway with NATS credentials requires grants (EASYREMOTE_NODE_GRANTS=auto): the operator grants gpu-1 its tools.
    await cliOutput(['grants', 'set', 'gpu-1', 'fixture*,slow_compute'], {
      NATS_URL: nats.url,
      NATS_USER: 'gateway',
      NATS_PASSWORD: GATEWAY_PASSWORD,
      NATS_CA: certs.ca,
    });
    gateway = await spawnGateway(nats.url, {
      NATS_USER: 'gateway',
      NATS_PASSWORD: GATEWAY_PASSWORD,
      NATS_CA: certs.ca,
    });
    node = await spawnNode(nats.url, ['test/fixtures/test-tools.ts', 'test/fixtures/conformance-task-tools.ts'], {
      NATS_USER: 'node-gpu-1',
      NATS_PASSWORD: 'pw-a',
      NATS_CA: certs.ca,
      EASYREMOTE_NODE_ID: 'gpu-1',
    });
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('a call goes gateway → TLS NATS → node with its own user, and back', async () => {
    const client = await connectClient(gateway.mcpUrl, '2025-11-25');
    try {
      const result = await client.callTool({ name: 'fixture.add', arguments: { a: 40, b: 2 } });
      expect(result.structuredContent).toEqual({ sum: 42 });
      expect((result._meta as Record<string, unknown>)['easyremote/node']).toBe('gpu-1');
    } finally {
      await client.close();
    }
  });

  it('a task runs under the node’s own user: it writes its states, the gateway reads them', async () => {
    const client = new TaskClient(gateway.mcpUrl);
    const created = await client.callTool('slow_compute', { seconds: 0.2, label: 'secure' });
    expect(created.resultType).toBe('task');
    const done = await client.waitForEnd(String(created.taskId));
    expect(done.status).toBe('completed');
    expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'computed secure in 0.2 s' }] });
  });

  it('a node presenting node gpu-1’s credentials cannot register as gpu-2', async () => {
    const impostor = runCli(['node', 'test/fixtures/test-tools.ts'], {
      NATS_URL: nats.url,
      NATS_USER: 'node-gpu-1',
      NATS_PASSWORD: 'pw-a',
      NATS_CA: certs.ca,
      EASYREMOTE_NODE_ID: 'gpu-2',
      EASYREMOTE_HEARTBEAT_MS: '200',
    });
    const code = await new Promise<number | null>((resolve) => impostor.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(impostor.lines.join('\n')).toMatch(/permission|not authorized|advertise/i);
    const tools = (await (await fetch(`${gateway.url}/mcp/tools`)).json()) as { tools: Array<{ providers: string[] }> };
    expect(tools.tools.flatMap((tool) => tool.providers)).not.toContain('gpu-2');
  });

  it('wrong NATS credentials stop a node at start with a clear message', async () => {
    const app = runCli(['node', 'test/fixtures/test-tools.ts'], {
      NATS_URL: nats.url,
      NATS_USER: 'node-gpu-1',
      NATS_PASSWORD: 'wrong',
      NATS_CA: certs.ca,
    });
    const code = await new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(app.lines.join('\n')).toMatch(/refused the credentials/);
  });
});
