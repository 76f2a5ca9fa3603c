import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, firstText } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { findTool, runsWith } from '../support/optional-tools.js';
import { HAPROXY_INSTALL_HINT, startHaproxy, trackingFetch, type Haproxy } from './support/haproxy.js';
import { HAPROXY_CFG, SITE_TOOLS } from './support/paths.js';
import { sleep, until } from './support/wait.js';

const PROTOCOL_TOOLS = 'test/fixtures/protocol-tools.ts';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
// CI installs haproxy (.ci/run) and must run this file; a developer machine without it skips it.
const runHere = runsWith('haproxy');

/** A raw 2025 POST through the balancer; resolves with the replica that served it and the body. */
async function post(
  url: string,
  headers: Record<string, string>,
  message: unknown,
): Promise<{ status: number; by: string; text: string; sessionId: string }> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(message) });
  const text = await response.text();
  return {
    status: response.status,
    by: response.headers.get('x-served-by') ?? 'unknown',
    text,
    sessionId: response.headers.get('mcp-session-id') ?? '',
  };
}

// HAProxy (deploy/haproxy.cfg: round-robin, no stickiness) in front of three gateway replicas, one
// node serving the protocol and site fixtures. Everything goes through the balancer, so consecutive
// requests of one client land on different replicas.
describe.runIf(runHere)('three gateways behind HAProxy', () => {
  let nats: NatsServerHandle;
  let gateways: GatewayProcess[];
  let node: AppProcess;
  let lb: Haproxy;
  let mcpUrl: string;
  let clients: Client[] = [];

  beforeAll(async () => {
    const haproxyBinary = findTool('haproxy');
    if (haproxyBinary === undefined) throw new Error(HAPROXY_INSTALL_HINT);
    nats = await startNats({ path: process.env.PATH });
    [node, ...gateways] = await Promise.all([
      spawnNode(nats.url, [PROTOCOL_TOOLS, SITE_TOOLS], { EASYREMOTE_NODE_ID: 'lb-node' }),
      spawnGateway(nats.url),
      spawnGateway(nats.url),
      spawnGateway(nats.url),
    ]);
    lb = await startHaproxy({
      binary: haproxyBinary,
      configFile: HAPROXY_CFG,
      backends: gateways.map((gateway) => new URL(gateway.url).host),
    });
    mcpUrl = `${lb.url}/mcp`;
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    clients = [];
  });

  afterAll(async () => {
    await lb?.stop();
    await Promise.all([...(gateways ?? []), node].map((app) => app?.stop()));
    await nats?.stop();
  });

  it('a 2025 session: initialize on one replica, calls and notifications through the others', async () => {
    const tracker = trackingFetch();
    const client = await connectClient(mcpUrl, '2025-11-25', { fetch: tracker.fetch });
    clients.push(client);
    const logs: unknown[] = [];
    client.setNotificationHandler('notifications/message', (notification) => void logs.push(notification.params));
    for (let i = 0; i < 3; i++)
      expect(firstText(await client.callTool({ name: 'site_whoami', arguments: {} }))).toBe('lb-node');
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'proto_progress', arguments: {} },
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(firstText(result)).toBe('progress done');
    expect(progress).toEqual([1, 2, 3]);
    await until('both log messages', () => logs.length >= 2, 3_000);

    const initializedOn = tracker.served.find((entry) => entry.method === 'initialize')?.by;
    const calls = tracker.served.filter((entry) => entry.method === 'tools/call');
    expect(initializedOn).toMatch(/^gateway-[123]$/);
    expect(new Set(calls.map((entry) => entry.by)).size).toBeGreaterThanOrEqual(2);
    expect(calls.some((entry) => entry.by !== initializedOn)).toBe(true);
  });

  it('a 2026 client: stateless requests spread over all three replicas', async () => {
    const tracker = trackingFetch();
    const client = await connectClient(mcpUrl, '2026-07-28', { fetch: tracker.fetch });
    clients.push(client);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['proto_ask_name', 'site_slow']),
    );
    for (let i = 0; i < 6; i++)
      expect(firstText(await client.callTool({ name: 'site_whoami', arguments: {} }))).toBe('lb-node');
    expect(new Set(tracker.served.map((entry) => entry.by))).toEqual(new Set(['gateway-1', 'gateway-2', 'gateway-3']));
  });

  it('notification streams: a node joining reaches a 2025 GET stream and a 2026 listen', async () => {
    const legacy = await connectClient(mcpUrl, '2025-11-25');
    const modern = await connectClient(mcpUrl, '2026-07-28');
    clients.push(legacy, modern);
    let legacyChanged = 0;
    let modernChanged = 0;
    legacy.setNotificationHandler('notifications/tools/list_changed', () => void legacyChanged++);
    modern.setNotificationHandler('notifications/tools/list_changed', () => void modernChanged++);
    await modern.listen({ toolsListChanged: true });
    await sleep(300); // the 2025 GET stream opens after initialize
    const joiner = await spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'lb-joiner' });
    try {
      await until('list_changed on both streams', () => legacyChanged > 0 && modernChanged > 0, 5_000);
      expect((await legacy.listTools()).tools.map((tool) => tool.name)).toContain('fixture.add');
    } finally {
      await joiner.stop();
    }
  });

  it('long calls: 4 s with progress over SSE, and 3 s answered as one JSON body', async () => {
    const client = await connectClient(mcpUrl, '2025-11-25');
    clients.push(client);
    const progress: number[] = [];
    const started = Date.now();
    const [withProgress, plain] = await Promise.all([
      client.callTool(
        { name: 'site_slow', arguments: { ms: 4_000 } },
        { onprogress: (update) => progress.push(update.progress) },
      ),
      client.callTool({ name: 'site_slow', arguments: { ms: 3_000 } }),
    ]);
    expect(firstText(withProgress)).toBe('took 4000 ms on lb-node');
    expect(firstText(plain)).toBe('took 3000 ms on lb-node');
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
  });

  it('a 2025 cancellation sent through the balancer reaches the node from another replica', async () => {
    const init = await post(mcpUrl, JSON_HEADERS, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    const headers = { ...JSON_HEADERS, 'mcp-session-id': init.sessionId, 'mcp-protocol-version': '2025-11-25' };
    const aborted = () => node.lines.filter((line) => line.includes('fixture aborted')).length;
    let crossed = false;
    // Round-robin sends consecutive requests to different replicas; other traffic could realign it,
    // so the scenario is repeated until the cancellation provably went to another replica.
    for (let attempt = 1; attempt <= 3 && !crossed; attempt++) {
      const before = aborted();
      const call = post(mcpUrl, headers, {
        jsonrpc: '2.0',
        id: `long-${attempt}`,
        method: 'tools/call',
        params: { name: 'proto_wait_for_cancel', arguments: {} },
      });
      await sleep(300);
      const cancelledAt = Date.now();
      const cancel = await post(mcpUrl, headers, {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: `long-${attempt}`, reason: 'user pressed stop' },
      });
      expect(cancel.status).toBe(202);
      await until('the handler on the node saw the abort', () => aborted() > before, 5_000, 5);
      const line = node.lines.filter((entry) => entry.includes('fixture aborted')).at(-1)!;
      // The handler would run 20 s on its own; the abort arriving is the property, not its speed.
      expect((JSON.parse(line) as { at: number }).at - cancelledAt).toBeLessThan(10_000);
      const answered = await call;
      expect(answered.text).not.toContain('"result"');
      crossed = answered.by !== cancel.by;
    }
    expect(crossed).toBe(true);
  });

  it('a 2025 elicitation: the client answers through another replica than the one holding the call', async () => {
    let crossed = false;
    for (let attempt = 1; attempt <= 3 && !crossed; attempt++) {
      const tracker = trackingFetch();
      const client = await connectClient(mcpUrl, '2025-11-25', {
        fetch: tracker.fetch,
        capabilities: { elicitation: {} },
      });
      clients.push(client);
      client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Ada' } }));
      expect(firstText(await client.callTool({ name: 'proto_ask_name', arguments: {} }))).toBe('hello Ada');
      const callBy = tracker.served.filter((entry) => entry.method === 'tools/call').at(-1)?.by;
      const answerBy = tracker.served.find((entry) => entry.method === 'response')?.by;
      expect(answerBy).toMatch(/^gateway-[123]$/);
      crossed = callBy !== answerBy;
    }
    expect(crossed).toBe(true);
  });

  it('a 2026 elicitation: input_required and the retry land on different replicas', async () => {
    const tracker = trackingFetch();
    const client = await connectClient(mcpUrl, '2026-07-28', {
      fetch: tracker.fetch,
      capabilities: { elicitation: {} },
    });
    clients.push(client);
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Grace' } }));
    expect(firstText(await client.callTool({ name: 'proto_ask_name', arguments: {} }))).toBe('hello Grace');
    const calls = tracker.served.filter((entry) => entry.method === 'tools/call');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(calls.map((entry) => entry.by)).size).toBeGreaterThanOrEqual(2);
  });
});
