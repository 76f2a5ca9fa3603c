import { request as httpRequest } from 'node:http';
import { loadGatewayConfig, startGateway, type GatewayHandle } from '@easyremote/gateway';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathSpellings } from '../support/path-spellings.js';
import { spawnNode, type AppProcess } from '../support/processes.js';
import { createKey } from '../support/security-helpers.js';

/**
 * One raw HTTP request: the path goes on the wire exactly as written (no client-side normalising).
 * Resolves with the status, or 0 when the server's HTTP parser refused the request line and closed
 * the connection (Node does that for a `#` or a backslash in the path): nothing was served either way.
 */
function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.once('error', () => resolve(0));
    request.end(body);
  });
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};
const RPC_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

/** The only routes anyone may reach without credentials; every other row of the route table is walked. */
const PUBLIC_ROUTES = new Set([
  '/healthz',
  '/readyz',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/dashboard',
  '/',
]);

/** A concrete path for a route pattern (`/mcp/tools/:name` → `/mcp/tools/echo`). */
function concrete(url: string): string {
  return url.replace(/:name/g, 'echo').replace(/:id/g, '0123456789abcdef').replace(/\*$/, 'x');
}

// The gateway's real route table, walked by itself: every route that is not declared public refuses
// every spelling of its path without credentials, and the mesh-wide views refuse a narrow key.
describe('route access: decided on the matched route, closed by default', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayHandle;
  let node: AppProcess;
  let port: number;
  let admin: string;
  let narrow: string;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    const config = loadGatewayConfig({ NATS_URL: nats.url, PORT: '0', LOG_LEVEL: 'silent', EASYREMOTE_AUTH: 'on' });
    [gateway, node] = await Promise.all([
      startGateway(config, { logger: pino({ level: 'silent' }) }),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts', '@easyremote/toolbox'], { EASYREMOTE_NODE_ID: 'route-node' }),
    ]);
    port = Number(new URL(gateway.url).port);
    admin = (await createKey(nats.url, 'admin', ['admin'])).key;
    narrow = (await createKey(nats.url, 'narrow', ['tools:list', 'tools:call', 'resources:read', 'prompts:get'])).key;
    // The keys reach the gateway through its KV watch.
    for (
      let tries = 0;
      tries < 100 && (await rawRequest(port, 'GET', '/mcp/tools', { authorization: `Bearer ${admin}` })) !== 200;
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await Promise.all([gateway?.close(), node?.stop()]);
    await nats?.stop();
  });

  it('the route table holds every door, and only health, readiness, OAuth metadata and the static dashboard page are public', () => {
    const table = gateway.app.routeTable;
    const urls = new Set(table.map((entry) => `${entry.method} ${entry.url}`));
    for (const door of [
      'POST /mcp',
      'GET /mcp',
      'DELETE /mcp',
      'GET /mcp/tools',
      'POST /mcp/tools/:name',
      'GET /mcp/resources',
      'GET /mcp/keys',
      'GET /mcp/audit',
      'GET /mcp/analytics/report',
      'GET /mcp/dashboard/state',
      'GET /metrics',
    ]) {
      expect(urls, door).toContain(door);
    }
    const open = table.filter((entry) => entry.access === 'public').map((entry) => entry.url);
    expect(new Set(open)).toEqual(PUBLIC_ROUTES);
  });

  it('no spelling of a protected path answers 2xx or 3xx without credentials', async () => {
    // Judged by the test's own list, not by what the routes declare: a route opened by mistake is walked too.
    const protectedRoutes = gateway.app.routeTable.filter((entry) => !PUBLIC_ROUTES.has(entry.url));
    const leaks: string[] = [];
    let sent = 0;
    for (const entry of protectedRoutes) {
      const body =
        entry.method === 'POST' || entry.method === 'PUT' || entry.method === 'PATCH'
          ? entry.url === '/mcp'
            ? RPC_BODY
            : '{"text":"x","name":"k"}'
          : undefined;
      for (const path of pathSpellings(concrete(entry.url))) {
        const status = await rawRequest(port, entry.method, path, JSON_HEADERS, body);
        sent++;
        if (status >= 200 && status < 400) leaks.push(`${entry.method} ${path} -> ${status}`);
      }
    }
    expect(leaks).toEqual([]);
    // The walk covered the whole table, not a handful of paths.
    expect(sent).toBeGreaterThan(protectedRoutes.length * 40);
  });

  it('with an admin key the canonical paths answer 2xx (the walk above can fail)', async () => {
    const auth = { authorization: `Bearer ${admin}` };
    for (const path of [
      '/mcp/tools',
      '/m%63p/tools',
      '/mcp/keys',
      '/mcp/audit',
      '/mcp/dashboard/state',
      '/mcp/analytics/report',
      '/metrics',
    ]) {
      expect(await rawRequest(port, 'GET', path, auth), path).toBe(200);
    }
  });

  it('the mesh-wide views, the audit and key management refuse a key without their scope (every spelling)', async () => {
    const auth = { authorization: `Bearer ${narrow}` };
    const refusals = new Map<string, number>();
    for (const path of ['/mcp/keys', '/mcp/audit', '/mcp/dashboard/state', '/mcp/analytics/report', '/metrics']) {
      for (const spelling of pathSpellings(path)) {
        const status = await rawRequest(port, 'GET', spelling, auth);
        if (status >= 200 && status < 400) refusals.set(spelling, status);
      }
      expect(await rawRequest(port, 'GET', path, auth), path).toBe(403);
    }
    expect([...refusals]).toEqual([]);
    expect(
      await rawRequest(
        port,
        'POST',
        '/m%63p/keys',
        { ...auth, 'content-type': 'application/json' },
        '{"name":"x","scopes":["admin"]}',
      ),
    ).toBe(403);
    expect(await rawRequest(port, 'DELETE', '/mcp/keys/0123456789abcdef', auth)).toBe(403);
    // The same key may do what its scopes say.
    expect(await rawRequest(port, 'GET', '/mcp/t%6Fols', auth)).toBe(200);
  });
});
