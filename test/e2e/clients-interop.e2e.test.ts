import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText } from '../support/mcp-clients.js';
import { REPO_ROOT, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

const run = promisify(execFile);

// Clients people actually use, against the same gateway: the SDK v1 client, the MCP Inspector CLI,
// and a desktop client's view through the stdio bridge started exactly as its config says.
describe('client interop', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['@easyremote/toolbox', 'test/fixtures/protocol-tools.ts'], {
        EASYREMOTE_NODE_ID: 'interop-node',
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('the SDK v1 client (@modelcontextprotocol/sdk 1.x) lists and calls tools', async () => {
    const client = new ClientV1({ name: 'sdk-v1', version: '1.0.0' });
    await client.connect(new HttpTransportV1(new URL(gateway.mcpUrl)));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    const result = await client.callTool({ name: 'echo', arguments: { text: 'from v1' } });
    expect(JSON.stringify(result.content)).toContain('from v1');
    await client.close();
  });

  it('the MCP Inspector CLI lists and calls tools', async () => {
    const dir = `${REPO_ROOT}/node_modules/@modelcontextprotocol/inspector-cli/build`;
    const cli = `${dir}/index.js`;
    // The CLI finds its own package.json relative to the working directory, so run it from its folder.
    const listed = await run(process.execPath, [cli, gateway.mcpUrl, '--transport', 'http', '--method', 'tools/list'], {
      timeout: 30_000,
      cwd: dir,
    });
    expect(JSON.parse(listed.stdout).tools.map((tool: { name: string }) => tool.name)).toContain('echo');
    const called = await run(
      process.execPath,
      [
        cli,
        gateway.mcpUrl,
        '--transport',
        'http',
        '--method',
        'tools/call',
        '--tool-name',
        'echo',
        '--tool-arg',
        'text=inspected',
      ],
      {
        timeout: 30_000,
        cwd: dir,
      },
    );
    expect(called.stdout).toContain('inspected');
  });

  it('the stdio bridge, started as the desktop config says (npx -y easyremote-mcp), relays a whole session', async () => {
    const transport = new StdioClientTransport({
      command: 'npx',
      args: ['-y', 'easyremote-mcp'],
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        EASYREMOTE_GATEWAY: gateway.url,
        EASYREMOTE_API_KEY: 'unused-until-auth',
      },
      stderr: 'pipe',
    });
    const client = new ClientV2({ name: 'desktop', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'proto_progress']));
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'over stdio' } });
    expect(JSON.stringify(echo.content)).toContain('over stdio');
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'proto_progress', arguments: {} },
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(firstText(result)).toBe('progress done');
    expect(progress).toEqual([1, 2, 3]);
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('easyremote://compute/interop-node');
    const read = await client.readResource({ uri: 'easyremote://compute/interop-node' });
    const info = JSON.parse(String((read.contents[0] as { text?: string }).text)) as Record<string, unknown>;
    expect(info).toMatchObject({ node_id: 'interop-node', availability: 'available' });
    await client.close();
  });
});
