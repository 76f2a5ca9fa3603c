import { AccessPolicy, AuthErrorCode } from '@easyremote/auth';
import type { Logger, ToolDescriptor } from '@easyremote/protocol';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../auth/augment.js';
import { ResourceIdentity } from '../auth/oauth-resource.js';
import { GatewayErrorCode } from '../errors.js';
import { ArgumentValidator } from '../routing/argument-validator.js';
import { authoriseStage, validateStage } from '../pipeline/call-stages.js';
import { type CallOutcome, type ToolCall, composeCallPipeline } from '../pipeline/call-pipeline.js';
import { CallGuard } from '../security/call-guard.js';
import { registerToolRoutes } from './tools-routes.js';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;

const descriptors: ToolDescriptor[] = [
  { name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
  { name: 'stats', inputSchema: { type: 'object' } },
  { name: 'broken', inputSchema: { type: 'object' } },
  { name: 'asks', inputSchema: { type: 'object' } },
  { name: 'slow', inputSchema: { type: 'object' } },
];
const byName = new Map<string, ToolEntry>(
  descriptors.map((d) => [d.name, { name: d.name, descriptor: d, providers: ['n1'] }]),
);
// The registry's read side only: listing and lookups by name.
const registry = {
  tool: (name: string) => byName.get(name),
  tools: () => [...byName.values()],
} as unknown as RegistryView;

/** The mesh's part, answered per tool: what a node would have said. */
function mesh(call: ToolCall): Promise<CallOutcome> {
  const base = { callId: call.callId, nodeId: 'n1' };
  switch (call.tool) {
    case 'echo':
      return Promise.resolve({
        ...base,
        kind: 'result',
        result: { content: [{ type: 'text', text: String(call.arguments.text) }] },
      });
    case 'stats':
      return Promise.resolve({ ...base, kind: 'result', result: { content: [], structuredContent: { mean: 2 } } });
    case 'broken':
      return Promise.resolve({
        ...base,
        kind: 'result',
        result: { content: [{ type: 'text', text: 'disk full' }], isError: true },
      });
    case 'asks':
      return Promise.resolve({ ...base, kind: 'input', inputRequests: {} });
    default:
      return Promise.resolve({
        ...base,
        kind: 'failed',
        error: { code: GatewayErrorCode.Timeout, message: 'No answer' },
      });
  }
}

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  // Stands in for the authentication hook: the test names the caller's scopes in a header.
  app.addHook('onRequest', async (request) => {
    const scopes = request.headers['x-test-scopes'];
    request.access = new AccessPolicy(typeof scopes === 'string' ? scopes.split(' ') : ['admin']);
    request.principal = 'tester';
  });
  const guard = new CallGuard({ registry, logger: quiet });
  const calls = composeCallPipeline(
    [
      authoriseStage(guard, new ResourceIdentity('https://mesh.example')),
      validateStage(registry, new ArgumentValidator()),
    ],
    mesh,
    quiet,
  );
  // None of these tools supports tasks (task routes: test/e2e/tasks.e2e.test.ts).
  const tasks = { restTaskFor: () => undefined, record: () => Promise.reject(new Error('no task expected')) };
  registerToolRoutes(app, { registry, calls, tasks });
  await app.ready();
});

afterAll(() => app.close());

const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/mcp/tools/${name}`, payload: body as object, headers });

describe('REST tool routes (fastify inject)', () => {
  it('lists every tool with its provider', async () => {
    const response = await app.inject({ method: 'GET', url: '/mcp/tools' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ tools: Array<{ name: string; provider: string }> }>();
    expect(body.tools.map((t) => t.name)).toEqual(descriptors.map((d) => d.name));
    expect(body.tools[0]!.provider).toBe('n1');
  });

  it('answers a single text block as its text, structured content as itself, with the node', async () => {
    const echoed = await post('echo', { text: 'hello' });
    expect(echoed.statusCode).toBe(200);
    expect(echoed.json()).toEqual({ result: 'hello', node: 'n1' });
    expect((await post('stats', {})).json()).toEqual({ result: { mean: 2 }, node: 'n1' });
  });

  it('renders each failure with the status of the error table and a stable code', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['nope', {}, 404, GatewayErrorCode.ToolNotFound],
      ['bad name!', {}, 404, GatewayErrorCode.ToolNotFound],
      ['echo', [1, 2], 400, GatewayErrorCode.InvalidArguments],
      ['echo', { text: 5 }, 400, GatewayErrorCode.InvalidArguments],
      ['broken', {}, 502, GatewayErrorCode.ToolResultError],
      ['asks', {}, 409, GatewayErrorCode.InputRequired],
      ['slow', {}, 504, GatewayErrorCode.Timeout],
    ];
    for (const [name, body, status, code] of cases) {
      const response = await post(encodeURIComponent(name), body);
      expect([name, response.statusCode, response.json().error.code]).toEqual([name, status, code]);
    }
    expect((await post('broken', {})).json().error.message).toBe('disk full');
  });

  it('refuses a tool outside the caller scopes with 403 and a challenge naming the scope', async () => {
    const response = await post('stats', {}, { 'x-test-scopes': 'tools:call:echo' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe(AuthErrorCode.InsufficientScope);
    expect(response.headers['www-authenticate']).toContain('scope="tools:call:stats"');
    expect((await post('echo', { text: 'ok' }, { 'x-test-scopes': 'tools:call:echo' })).statusCode).toBe(200);
  });

  it('answers a malformed body with 400, not 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/mcp/tools/echo',
      payload: '{"text":',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe(GatewayErrorCode.BadRequest);
  });
});
