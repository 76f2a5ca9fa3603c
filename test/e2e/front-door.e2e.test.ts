import { request as httpRequest } from 'node:http';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from '../support/processes.js';

/** One HTTP request with headers fetch will not send as given (Host); resolves with status, type and body. */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type'] ?? ''),
            body: text,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

// Issue 13: `GET /` is a front door (HTML for browsers, JSON otherwise) pointing to /mcp, the
// dashboard and the docs; Host/Origin refusals on REST routes are REST-shaped, on /mcp JSON-RPC.
describe('front door and the shape of Host/Origin refusals', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url, { EASYREMOTE_AUTH: 'on' });
  });

  afterAll(async () => {
    await gateway?.stop();
    await nats?.stop();
  });

  it('GET / answers a browser with a small page linking /mcp, /dashboard and the docs (no key needed)', async () => {
    const response = await fetch(`${gateway.url}/`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<a href="/mcp">');
    expect(page).toContain('<a href="/dashboard">');
    expect(page).toContain('docs/');
  });

  it('GET / answers a program with JSON naming the same places', async () => {
    for (const accept of ['application/json', '*/*']) {
      const response = await fetch(`${gateway.url}/`, { headers: { accept } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({
        mcp: '/mcp',
        dashboard: '/dashboard',
        docs: expect.stringContaining('docs/'),
      });
    }
  });

  it('a refused Host is REST-shaped on REST routes and JSON-RPC on /mcp', async () => {
    const evil = { host: 'evil.example' };
    const rest = await raw(`${gateway.url}/mcp/tools`, 'GET', evil);
    expect(rest.status).toBe(403);
    expect(JSON.parse(rest.body)).toEqual({ error: { code: 'GW_ERR_HOST_ORIGIN', message: expect.any(String) } });
    const call = await raw(`${gateway.url}/mcp/tools/echo`, 'POST', evil, '{"text":"x"}');
    expect(call.status).toBe(403);
    expect(JSON.parse(call.body)).toMatchObject({ error: { code: 'GW_ERR_HOST_ORIGIN' } });
    expect(JSON.parse(call.body)).not.toHaveProperty('jsonrpc');
    const mcp = await raw(
      `${gateway.url}/mcp`,
      'POST',
      { ...evil, accept: 'application/json, text/event-stream' },
      '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    );
    expect(mcp.status).toBe(403);
    expect(JSON.parse(mcp.body)).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, data: { code: 'GW_ERR_HOST_ORIGIN' } },
    });
  });

  it('a refused browser Origin is REST-shaped on REST routes', async () => {
    const response = await fetch(`${gateway.url}/mcp/tools`, { headers: { origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: 'GW_ERR_HOST_ORIGIN', message: expect.any(String) } });
  });
});
