import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForProviders } from '../fixtures/placement-support.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// Property-based: generated methods, paths (every route and re-spellings of them, control characters
// percent-encoded), query strings, headers and bodies (JSON, JSON-RPC-shaped, garbage) against a real
// gateway and node. Never a 5xx, the process stays up, and every error body carries a code.
const RUNS = 1_000;

const ROUTES = [
  '/',
  '/healthz',
  '/readyz',
  '/dashboard',
  '/metrics',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/mcp',
  '/mcp/tools',
  '/mcp/tools/fixture.add',
  '/mcp/tools/fixture.echo',
  '/mcp/resources',
  '/mcp/resources/read',
  '/mcp/analytics/report',
  '/mcp/dashboard/state',
  '/mcp/audit',
  '/mcp/keys',
  '/mcp/keys/abc',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const RPC_METHODS = [
  'initialize',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'ping',
  'server/discover',
  'logging/setLevel',
  'completion/complete',
  'notifications/cancelled',
  'notifications/initialized',
  'x',
];

const encodeChar = (code: number) => `%${code.toString(16).padStart(2, '0')}`;
const segment = fc.oneof(
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((codes) => codes.map(encodeChar).join('')),
  fc.constantFrom('..', '.', '', '%2e%2e', '%2f', ';x=1', 'fixture.add', 'a%00b', 'a%0d%0ab'),
);
const path = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { maxLength: 2 }), fc.boolean())
  .map(([route, extra, slash]) => `${route}${extra.map((s) => `/${s}`).join('')}${slash ? '/' : ''}`);
const query = fc
  .option(
    fc.dictionary(
      fc.constantFrom('period', 'since', 'limit', 'tool', 'principal', 'node', 'gpu', 'memory', 'cursor', 'uri', 'x'),
      fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.integer().map(String),
        fc.constantFrom('99999999999d', '-1', '1e309', 'NaN', '%00'),
      ),
    ),
    { nil: undefined },
  )
  .map((params) =>
    params === undefined
      ? ''
      : `?${Object.entries(params)
          .map(([k, v]) => `${k}=${v.startsWith('%') ? v : encodeURIComponent(v)}`)
          .join('&')}`,
  );
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ),
    accept: fc.constantFrom(
      'application/json, text/event-stream',
      'application/json',
      'text/event-stream',
      'text/html',
      '*/*',
    ),
    'mcp-protocol-version': fc.oneof(fc.constantFrom('2025-11-25', '2026-07-28', '2025-06-18'), printable),
    'mcp-session-id': printable,
    'last-event-id': printable,
  },
  { requiredKeys: [] },
);
const rpc = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
    method: fc.oneof(fc.constantFrom(...RPC_METHODS), fc.string({ maxLength: 12 })),
    params: fc.oneof(
      fc.record(
        {
          name: fc.oneof(fc.constantFrom('fixture.add', 'fixture.echo'), fc.string({ maxLength: 10 })),
          arguments: fc.jsonValue({ maxDepth: 3 }),
          _meta: fc.jsonValue({ maxDepth: 2 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  },
  { requiredKeys: [] },
);
const body = fc.option(
  fc.oneof(
    rpc.map((value) => JSON.stringify(value)),
    fc.array(rpc, { maxLength: 3 }).map((value) => JSON.stringify(value)),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 40 }),
  ),
  { nil: undefined },
);

interface ErrorBody {
  error?: { code?: unknown; data?: { code?: unknown } } | string;
}

describe('fuzzing every route: no 5xx, no crash, every error has a code', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'fuzzed' }),
    ]);
    await waitForProviders(gateway.url, 'fixture.add', 1);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it(`${RUNS} generated requests`, async () => {
    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        path,
        query,
        headers,
        body,
        async (method, target, search, sent, payload) => {
          cases++;
          const withBody = payload !== undefined && method !== 'GET' && method !== 'HEAD';
          const requestHeaders = Object.fromEntries(Object.entries(sent).filter(([, value]) => value !== ''));
          const response = await fetch(`${gateway.url}${target}${search}`, {
            method,
            headers: requestHeaders,
            ...(withBody ? { body: payload } : {}),
            signal: AbortSignal.timeout(20_000),
          });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          // An SSE stream (a valid 2025 GET /mcp) stays open: its status is the answer.
          if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
            await response.body?.cancel();
            expect(response.status).toBeLessThan(500);
            return;
          }
          const text = await response.text();
          expect(
            response.status,
            `${method} ${target}${search} -> ${response.status} ${text.slice(0, 200)}`,
          ).toBeLessThan(500);
          if (response.status >= 400 && text !== '' && method !== 'HEAD') {
            const parsed = JSON.parse(text) as ErrorBody;
            const error = parsed.error;
            const coded =
              typeof error === 'object' &&
              error !== null &&
              (typeof error.code === 'string' || typeof error.code === 'number');
            expect(coded, `${method} ${target}${search} -> ${response.status} ${text.slice(0, 200)}`).toBe(true);
          }
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    console.info(
      `fuzz: ${cases} cases, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    expect(cases).toBe(RUNS);
    expect(gateway.child.exitCode).toBeNull();
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  }, 240_000);
});
