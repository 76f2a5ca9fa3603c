import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, firstText } from '../support/mcp-clients.js';
import { modernRequest } from '../support/security-helpers.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function initializeRaw(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  await response.text();
  return response.headers.get('mcp-session-id') ?? '';
}

// The MCP surface beyond list/call, with the handler on a compute node and the client possibly
// talking to two gateway replicas.
describe('the MCP protocol through the mesh', () => {
  let nats: NatsServerHandle;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let node: AppProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gatewayA, gatewayB, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnGateway(nats.url),
      spawnNode(nats.url, ['test/fixtures/protocol-tools.ts'], { EASYREMOTE_NODE_ID: 'protocol-node' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all([gatewayA?.stop(), gatewayB?.stop(), node?.stop()]);
    await nats?.stop();
  });

  for (const era of ['2025-11-25', '2026-07-28'] as const) {
    it(`${era}: progress and log messages from the node-side handler reach the SDK client`, async () => {
      const client = await connectClient(gatewayA.mcpUrl, era);
      clients.push(client);
      const logs: unknown[] = [];
      client.setNotificationHandler('notifications/message', (notification) => {
        logs.push(notification.params);
      });
      const progress: Array<{ progress: number; total?: number; message?: string }> = [];
      // 2026-07-28 clients ask for log lines per request; 2025 clients get them until they set a level.
      const meta = era === '2026-07-28' ? { _meta: { 'io.modelcontextprotocol/logLevel': 'info' } } : {};
      const result = await client.callTool(
        { name: 'proto_progress', arguments: {}, ...meta },
        { onprogress: (update) => progress.push(update) },
      );
      expect(firstText(result)).toBe('progress done');
      expect(progress.map((update) => update.progress)).toEqual([1, 2, 3]);
      expect(progress[2]).toMatchObject({ total: 3, message: 'step 3 of 3' });
      await until(() => logs.length >= 2, 2_000);
      expect(logs).toEqual([
        { level: 'info', logger: 'fixture', data: { note: 'halfway there' } },
        { level: 'warning', logger: 'fixture', data: 'almost done' },
      ]);
    });
  }

  it('a 2025 cancellation sent to another replica stops the handler on its node', async () => {
    const sessionId = await initializeRaw(gatewayA.mcpUrl);
    const headers = { ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    // The call runs through gateway A and stays open...
    const call = fetch(gatewayA.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'long-1',
        method: 'tools/call',
        params: { name: 'proto_wait_for_cancel', arguments: {} },
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // ...and the cancellation goes to gateway B.
    const cancelledAt = Date.now();
    const notified = await fetch(gatewayB.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: 'long-1', reason: 'user pressed stop' },
      }),
    });
    expect(notified.status).toBe(202);
    const aborted = await node.waitForLog('fixture aborted', 5_000);
    // The handler would run 20 s on its own: seeing the abort proves the cancellation crossed replicas.
    // How fast it crosses is a benchmark's business, not this test's.
    expect(Number(aborted.at)).toBeGreaterThanOrEqual(cancelledAt);
    expect(Number(aborted.at) - cancelledAt).toBeLessThan(10_000);
    const response = await call;
    // No answer is sent for a cancelled request.
    expect(await response.text()).not.toContain('"result"');
  });

  it('a 2026 client closing the request stream cancels the call on its node', async () => {
    const client = await connectClient(gatewayB.mcpUrl, '2026-07-28');
    clients.push(client);
    const before = node.lines.filter((line) => line.includes('fixture aborted')).length;
    const controller = new AbortController();
    const pending = client.callTool({ name: 'proto_wait_for_cancel', arguments: {} }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelledAt = Date.now();
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => node.lines.filter((line) => line.includes('fixture aborted')).length > before, 5_000);
    const last = JSON.parse(node.lines.filter((line) => line.includes('fixture aborted')).at(-1)!) as { at: number };
    expect(last.at).toBeGreaterThanOrEqual(cancelledAt);
    expect(last.at - cancelledAt).toBeLessThan(10_000);
  });

  it('2025 elicitation: the client answers through a different replica than the one holding the stream', async () => {
    const answeredTo: string[] = [];
    const crossFetch: typeof fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const isClientAnswer = body.includes('"result"') && !body.includes('"method"');
      const target = isClientAnswer ? gatewayB.mcpUrl : gatewayA.mcpUrl;
      if (isClientAnswer) answeredTo.push(target);
      return fetch(target, init);
    };
    const client = await connectClient(gatewayA.mcpUrl, '2025-11-25', {
      fetch: crossFetch,
      capabilities: { elicitation: {} },
    });
    clients.push(client);
    client.setRequestHandler('elicitation/create', async (request) => {
      expect(request.params.message).toBe('What is your name?');
      return { action: 'accept', content: { name: 'Ada' } };
    });
    const result = await client.callTool({ name: 'proto_ask_name', arguments: {} });
    expect(firstText(result)).toBe('hello Ada');
    expect(answeredTo).toEqual([gatewayB.mcpUrl]);
  });

  it('2026 elicitation: input_required and a retry (through the other replica) complete the call', async () => {
    let calls = 0;
    const alternate: typeof fetch = async (input, init) =>
      fetch(calls++ % 2 === 0 ? gatewayA.mcpUrl : gatewayB.mcpUrl, init);
    const client = await connectClient(gatewayA.mcpUrl, '2026-07-28', {
      fetch: alternate,
      capabilities: { elicitation: {} },
    });
    clients.push(client);
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Grace' } }));
    const result = await client.callTool({ name: 'proto_ask_name', arguments: {} });
    expect(firstText(result)).toBe('hello Grace');
  });

  for (const era of ['2025-11-25', '2026-07-28'] as const) {
    it(`${era}: a node joining sends tools/list_changed to a client connected to another replica`, async () => {
      const client = await connectClient(gatewayB.mcpUrl, era);
      clients.push(client);
      let changed = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => {
        changed++;
      });
      if (era === '2026-07-28') await client.listen({ toolsListChanged: true });
      else await new Promise((resolve) => setTimeout(resolve, 300)); // the GET stream opens after initialize
      const extra = await spawnNode(nats.url, ['@easyremote/toolbox'], { EASYREMOTE_NODE_ID: `joiner-${era}` });
      try {
        await until(() => changed > 0, 5_000);
        expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('echo');
      } finally {
        await extra.stop();
      }
    });
  }
  // ADR 0015: 2026-07-28 removed ping and its conformance suite requires 404 + -32601 for it.
  it('legacy: ping answers an empty result (SDK client)', async () => {
    const client = await connectClient(gatewayA.mcpUrl, '2025-11-25');
    clients.push(client);
    await expect(client.ping()).resolves.toBeDefined();
  });

  it('modern: ping is 404 / -32601 naming server/discover, and server/discover answers', async () => {
    const ping = await modernRequest(gatewayA.mcpUrl, 'ping', {});
    expect(ping.status).toBe(404);
    const error = ping.json?.error as {
      code: number;
      message: string;
      data: { removedIn: string; replacement: string };
    };
    expect(error.code).toBe(-32601);
    expect(error.message).toContain('server/discover');
    expect(error.data).toEqual({ removedIn: '2026-07-28', replacement: 'server/discover' });
    const discover = await modernRequest(gatewayA.mcpUrl, 'server/discover', {});
    expect(discover.status).toBe(200);
    expect((discover.json?.result as { supportedVersions: string[] }).supportedVersions).toContain('2026-07-28');
    // An unknown method keeps the plain message: only removed methods point somewhere.
    const unknown = await modernRequest(gatewayA.mcpUrl, 'no/such', {});
    expect((unknown.json?.error as { message: string }).message).toBe('Method not found: no/such');
  });
  // Issue 13: a property with a default is not advertised as required; leaving it out gets the default.
  for (const era of ['2025-11-25', '2026-07-28'] as const) {
    it(`${era}: a defaulted property is optional in the listing and filled in when omitted`, async () => {
      const client = await connectClient(gatewayB.mcpUrl, era);
      clients.push(client);
      const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'proto_defaults');
      const schema = tool?.inputSchema as {
        required?: string[];
        properties: Record<string, { default?: unknown; required?: string[] }>;
      };
      expect(schema.required).toEqual(['text']);
      expect(schema.properties.times?.default).toBe(2);
      expect(schema.properties.options?.required).toBeUndefined();
      const result = await client.callTool({ name: 'proto_defaults', arguments: { text: 'hi' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ text: 'hi', times: 2, mode: 'plain' });
      // The default does not make the property unchecked: a wrong value is still refused.
      const bad = await client.callTool({ name: 'proto_defaults', arguments: { text: 'hi', times: 0 } });
      expect(bad.isError).toBe(true);
      expect(firstText(bad)).toContain('/times');
    });
  }
});
