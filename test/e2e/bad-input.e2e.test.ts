import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, firstText } from '../support/mcp-clients.js';
import { runCli, spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { postStatus } from '../support/security-helpers.js';

interface RpcBody {
  id?: string | number | null;
  result?: unknown;
  error: { code: number; message: string };
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('bad input gets a clear, spec-correct answer and the gateway keeps serving', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let client: Client;
  let sessionId: string;

  async function post(body: string, headers: Record<string, string> = {}) {
    const response = await fetch(gateway.mcpUrl, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as RpcBody) : undefined };
  }

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      // 4 MiB bodies (the default is 16 MiB), so the 5 MiB body below is over the limit.
      spawnGateway(nats.url, { EASYREMOTE_MAX_BODY_BYTES: String(4 * 1024 * 1024) }),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'fixtures' }),
    ]);
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    const init = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    sessionId = init.headers.get('mcp-session-id') ?? '';
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('malformed JSON is a -32700 parse error with HTTP 400', async () => {
    const { status, body } = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(status).toBe(400);
    expect(body?.error.code).toBe(-32700);
    expect(body?.id).toBeNull();
  });

  it('a body that is not JSON-RPC is a -32600 invalid request', async () => {
    const { status, body } = await post(JSON.stringify({ hello: 'world' }), { 'mcp-session-id': sessionId });
    expect(status).toBe(400);
    expect(body?.error.code).toBe(-32600);
  });

  it('a wrong content type is 415 and a missing session is 400, a forged one 404', async () => {
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' });
    expect((await post(ping)).status).toBe(400);
    const forged = await post(ping, { 'mcp-session-id': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(forged.status).toBe(404);
    expect(forged.body?.error.code).toBe(-32001);
    expect((await post(ping, { 'mcp-session-id': sessionId })).body?.result).toEqual({});
  });

  it('an unknown method is -32601', async () => {
    const { body } = await post(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/frobnicate' }), {
      'mcp-session-id': sessionId,
    });
    expect(body?.error.code).toBe(-32601);
    expect(body?.id).toBe(4);
  });

  it('an unknown tool is a -32602 protocol error', async () => {
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(
      /Unknown tool: no_such_tool/,
    );
  });

  it('arguments violating the schema are an isError result naming the problem', async () => {
    const result = await client.callTool({ name: 'fixture.add', arguments: { a: 'two', b: 2 } });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/\/a: must be number/);
  });

  it('a handler that throws: code and message reach the client, no stack trace', async () => {
    const result = await client.callTool({ name: 'fixture_throw', arguments: {} });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain('kaboom from the handler');
    expect(firstText(result)).toContain('NODE_ERR_HANDLER_FAILED');
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at /);
    const own = await client.callTool({ name: 'fixture_tool_error', arguments: {} });
    expect(firstText(own)).toContain('FIXTURE_ERR_REFUSED');
    expect((own._meta as Record<string, { code: string }>)['easyremote/error']?.code).toBe('FIXTURE_ERR_REFUSED');
  });

  it('a handler that exceeds its deadline ends in a timeout error, not a hang', async () => {
    const started = Date.now();
    const result = await client.callTool({ name: 'fixture_sleep', arguments: { ms: 10_000 } });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/DEADLINE_EXCEEDED|TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a tool whose node vanished (no responders) is a clear error, and the gateway keeps serving', async () => {
    const extra = await spawnNode(nats.url, ['@easyremote/toolbox'], {
      EASYREMOTE_NODE_ID: 'vanishing',
      EASYREMOTE_HEARTBEAT_MS: '60000',
    });
    const listed = async () => (await client.listTools()).tools.some((tool) => tool.name === 'echo');
    for (let i = 0; i < 50 && !(await listed()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    // Kill it: its registry entry outlives it (long heartbeat TTL), but nobody listens on its subject.
    await extra.kill();
    const result = await client.callTool({ name: 'echo', arguments: { text: 'anyone?' } });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain('GW_ERR_NO_NODE');
    // No-responders is proof the provider is gone: the tool leaves the listing.
    expect(await listed()).toBe(false);
    const still = await client.callTool({ name: 'fixture.add', arguments: { a: 1, b: 1 } });
    expect(still.structuredContent).toEqual({ sum: 2 });
  });

  it('an oversized body is refused with 413', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'fixture.add', arguments: { pad: 'x'.repeat(5 * 1024 * 1024) } },
    });
    // Announced, not fully sent: the server answers 413 from Content-Length and closes (no EPIPE race).
    expect(await postStatus(gateway.mcpUrl, huge, { 'mcp-session-id': sessionId })).toBe(413);
  });

  it('NATS unreachable at gateway start: retries, then exits with a clear error', async () => {
    const app = runCli(['gateway'], {
      NATS_URL: 'nats://127.0.0.1:1',
      PORT: '0',
      EASYREMOTE_NATS_CONNECT_ATTEMPTS: '3',
    });
    const code = await new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(app.lines.join('\n')).toMatch(/could not reach NATS at nats:\/\/127\.0\.0\.1:1 after 3 attempts/);
  });
});
