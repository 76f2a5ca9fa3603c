import { randomUUID } from 'node:crypto';
import { invokeTool, PayloadStore, RpcClient } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import {
  decodeCallNotification,
  decodeCallReply,
  encodeJson,
  Headers,
  MESH_PROTOCOL_VERSION,
  nodeCallSubject,
  toolSubject,
  WireErrorCode,
  type CallNotification,
  type CallResponse,
} from '@easyremote/protocol';
import { openRegistry, RegistryView } from '@easyremote/registry';
import { connect } from '@nats-io/transport-node';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeNode, defineTool, ToolError, type ComputeNodeOptions, type ToolDefinition } from './index.js';

let nats: NatsServerHandle;
let client: NatsConnection;
let rpc: RpcClient;
let view: RegistryView;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  client = await connect({ servers: nats.url });
  rpc = new RpcClient(client);
  view = await RegistryView.start(await openRegistry(client));
});

afterAll(async () => {
  view?.stop();
  rpc?.close();
  await client?.close();
  await nats?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** Each test gets its own tool names, so a queue group never mixes nodes of different tests. */
function unique(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

async function startNode(tools: ToolDefinition[], options: Partial<ComputeNodeOptions> = {}): Promise<ComputeNode> {
  const node = new ComputeNode({ servers: nats.url, heartbeatMs: 200, ...options }).register(...tools);
  await node.start();
  return node;
}

async function call(
  tool: string,
  args: Record<string, unknown>,
  options: { subject?: string; timeoutMs?: number; notifySubject?: string } = {},
) {
  return invokeTool(
    rpc,
    options.subject ?? toolSubject(tool),
    { tool, arguments: args },
    {
      timeoutMs: options.timeoutMs ?? 5_000,
      callId: randomUUID(),
      ...(options.notifySubject === undefined ? {} : { notifySubject: options.notifySubject }),
    },
  );
}

function errorOf(response: CallResponse): { code: string; message: string } {
  if (response.ok) throw new Error(`expected a failure, got ${JSON.stringify(response)}`);
  return response.error;
}

describe('ComputeNode calls', () => {
  const echoName = unique('echo');
  const echo = defineTool({
    name: echoName,
    input: Type.Object({ text: Type.String(), times: Type.Integer({ minimum: 1, default: 1 }) }),
    output: Type.Object({ text: Type.String() }),
    handler: ({ text, times }) => ({ text: text.repeat(times) }),
  });
  const failing = defineTool({
    name: unique('fails'),
    input: Type.Object({ how: Type.Union([Type.Literal('tool'), Type.Literal('plain')]) }),
    handler: ({ how }) => {
      if (how === 'tool') throw new ToolError('DEMO_ERR_NOPE', 'nope', { hint: 'try again' });
      throw new Error('secret path /srv/x exploded');
    },
  });
  const big = defineTool({ name: unique('big'), input: Type.Object({}), handler: () => 'x'.repeat(2 * 1024 * 1024) });
  let node: ComputeNode;

  beforeAll(async () => {
    node = await startNode([echo, failing, big], { nodeId: 'calls-node' });
  });
  afterAll(() => node?.stop());

  it('answers a call on the tool subject with the result and its node id', async () => {
    const { response, nodeId } = await call(echoName, { text: 'ab', times: 2 });
    expect(nodeId).toBe('calls-node');
    expect(response).toEqual({
      ok: true,
      result: { content: [{ type: 'text', text: '{"text":"abab"}' }], structuredContent: { text: 'abab' } },
    });
  });

  it('applies defaults and reports invalid arguments with their paths', async () => {
    expect((await call(echoName, { text: 'a' })).response).toMatchObject({
      ok: true,
      result: { structuredContent: { text: 'a' } },
    });
    expect(errorOf((await call(echoName, { text: 3, times: 0 })).response)).toEqual({
      code: WireErrorCode.InvalidArguments,
      message: `invalid arguments for tool "${echoName}": /text: must be string; /times: must be >= 1`,
    });
  });

  it('passes a ToolError through and hides everything but the message of other errors', async () => {
    expect((await call(failing.name, { how: 'tool' })).response).toEqual({
      ok: false,
      error: { code: 'DEMO_ERR_NOPE', message: 'nope', data: { hint: 'try again' } },
    });
    const plain = (await call(failing.name, { how: 'plain' })).response;
    expect(plain).toEqual({
      ok: false,
      error: { code: WireErrorCode.HandlerFailed, message: 'secret path /srv/x exploded' },
    });
    expect(JSON.stringify(plain)).not.toContain('    at ');
  });

  it('serves targeted calls on the node subject, and says when it lacks the tool', async () => {
    const { response } = await call(echoName, { text: 'direct' }, { subject: nodeCallSubject('calls-node') });
    expect(response).toMatchObject({ ok: true, result: { structuredContent: { text: 'direct' } } });
    const missing = (await call('no-such-tool', {}, { subject: nodeCallSubject('calls-node') })).response;
    expect(errorOf(missing).code).toBe(WireErrorCode.ToolNotFound);
  });

  it('rejects malformed envelopes and a body naming another tool than its subject', async () => {
    const raw = await rpc.request(toolSubject(echoName), new TextEncoder().encode('{not json'), { timeoutMs: 5_000 });
    expect(errorOf(decodeCallReply(raw.data).response).code).toBe(WireErrorCode.BadRequest);
    const other = (await call(failing.name, { how: 'tool' }, { subject: toolSubject(echoName) })).response;
    expect(errorOf(other)).toMatchObject({
      code: WireErrorCode.BadRequest,
      message: expect.stringContaining('names tool'),
    });
  });

  it('sends a result over max_payload through the payload object store', async () => {
    const withStore = new RpcClient(client, { payloads: await PayloadStore.open(client) });
    const { response } = await invokeTool(
      withStore,
      toolSubject(big.name),
      { tool: big.name, arguments: {} },
      { timeoutMs: 10_000, callId: randomUUID() },
    );
    withStore.close();
    if (!response.ok || !('result' in response))
      throw new Error(`expected a result, got ${JSON.stringify(response).slice(0, 200)}`);
    expect(String(response.result.content[0]?.text).length).toBe(2 * 1024 * 1024);
  });

  it('replies RESULT_TOO_LARGE above its payload limit instead of a message NATS would refuse', async () => {
    const huge = defineTool({
      name: unique('huge'),
      input: Type.Object({}),
      handler: () => 'x'.repeat(2 * 1024 * 1024),
    });
    const limited = await startNode([huge], { nodeId: 'limited-node', maxPayloadBytes: 1024 * 1024 });
    try {
      const error = errorOf((await call(huge.name, {})).response);
      expect(error.code).toBe(WireErrorCode.ResultTooLarge);
      expect(error.message).toMatch(/the result is \d+ bytes, over the node's 1048576-byte payload limit/);
    } finally {
      await limited.stop();
    }
  });
});

describe('ComputeNode limits', () => {
  it('aborts the handler at the deadline and replies DEADLINE_EXCEEDED without waiting for it', async () => {
    let reason: unknown;
    const stubborn = defineTool({
      name: unique('stubborn'),
      input: Type.Object({}),
      timeoutMs: 100,
      handler: (_args, ctx) => {
        ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
        return new Promise<string>((resolve) => setTimeout(() => resolve('too late'), 1_500));
      },
    });
    await using node = await startNode([stubborn]);
    const started = Date.now();
    const { response } = await call(stubborn.name, {});
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errorOf(response).code).toBe(WireErrorCode.DeadlineExceeded);
    expect(reason).toMatchObject({ code: WireErrorCode.DeadlineExceeded });
    expect(node.inFlight).toBe(0);
  });

  it('honours a caller deadline shorter than the tool timeout', async () => {
    const slow = defineTool({
      name: unique('slow'),
      input: Type.Object({}),
      handler: (_a, ctx) =>
        new Promise<string>((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    await using _node = await startNode([slow]);
    const { response } = await invokeTool(
      rpc,
      toolSubject(slow.name),
      { tool: slow.name, arguments: {} },
      { timeoutMs: 5_000, deadline: Date.now() + 150, callId: 'c' },
    );
    expect(errorOf(response).code).toBe(WireErrorCode.DeadlineExceeded);
  });

  it('declines calls beyond maxConcurrency at once with OVERLOADED', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = defineTool({
      name: unique('held'),
      input: Type.Object({}),
      handler: async () => {
        await gate;
        return 'done';
      },
    });
    await using node = await startNode([held], { maxConcurrency: 1 });
    const first = call(held.name, {});
    await until(() => node.inFlight === 1, 'the first call runs');
    const second = (await call(held.name, {})).response;
    expect(errorOf(second)).toMatchObject({
      code: WireErrorCode.Overloaded,
      message: expect.stringContaining('(maxConcurrency 1)'),
    });
    release();
    expect((await first).response).toMatchObject({ ok: true });
    expect(node.inFlight).toBe(0);
  });
});

describe('ComputeNode notifications', () => {
  it('publishes progress and log notifications to the caller-named subject', async () => {
    const steps = defineTool({
      name: unique('steps'),
      input: Type.Object({ n: Type.Integer() }),
      handler: async ({ n }, ctx) => {
        for (let i = 1; i <= n; i++) ctx.progress(i, n, `step ${i}`);
        ctx.log('warning', { note: 'almost' }, 'steps');
        return 'ok';
      },
    });
    await using _node = await startNode([steps]);
    const subject = `_NOTIFY.${randomUUID()}`;
    const seen: { notification: CallNotification; callId: string | undefined }[] = [];
    const sub = client.subscribe(subject, {
      callback: (_e, msg) => {
        seen.push({ notification: decodeCallNotification(msg.data), callId: msg.headers?.get(Headers.callId) });
      },
    });
    await client.flush();
    const { response } = await call(steps.name, { n: 2 }, { notifySubject: subject });
    expect(response).toMatchObject({ ok: true });
    await until(() => seen.length === 3, 'three notifications arrived');
    sub.unsubscribe();
    expect(seen.map((s) => s.notification)).toEqual([
      { kind: 'progress', progress: 1, total: 2, message: 'step 1' },
      { kind: 'progress', progress: 2, total: 2, message: 'step 2' },
      { kind: 'log', level: 'warning', data: { note: 'almost' }, logger: 'steps' },
    ]);
    expect(new Set(seen.map((s) => s.callId)).size).toBe(1);
  });
});

describe('ComputeNode lifecycle and registry', () => {
  it('advertises its tools and capabilities, and tools registered after start', async () => {
    const first = defineTool({ name: unique('first'), input: Type.Object({}), handler: () => '1' });
    const later = defineTool({ name: unique('later'), input: Type.Object({}), handler: () => '2' });
    await using node = await startNode([first], { labels: { zone: 'test' }, maxConcurrency: 8 });
    await until(() => view.tool(first.name) !== undefined, 'the first tool is visible');
    const advert = view.node(node.nodeId)?.advert;
    expect(advert).toMatchObject({
      nodeId: node.nodeId,
      ttlMs: 600,
      capabilities: { labels: { zone: 'test' } },
      load: { inFlight: 0, maxConcurrency: 8 },
    });
    expect(advert?.capabilities.cpus).toBeGreaterThan(0);
    expect(view.tool(first.name)?.descriptor).toEqual(first.descriptor);

    node.register(later);
    await until(() => view.tool(later.name) !== undefined, 'the later tool is visible');
    expect((await call(later.name, {})).response).toMatchObject({
      ok: true,
      result: { content: [{ type: 'text', text: '2' }] },
    });
    expect(() => node.register(later)).toThrow(expect.objectContaining({ code: 'NODE_SDK_ERR_DUPLICATE_TOOL' }));
  });

  it('stops gracefully: leaves the registry first, then finishes in-flight calls', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const job = defineTool({
      name: unique('job'),
      input: Type.Object({}),
      handler: async () => {
        await gate;
        return 'finished';
      },
    });
    const node = await startNode([job]);
    await until(() => view.tool(job.name) !== undefined, 'the tool is visible');
    const running = call(job.name, {});
    await until(() => node.inFlight === 1, 'the call runs');

    const stopped = node.stop({ graceMs: 5_000 });
    await until(() => view.node(node.nodeId) === undefined, 'the advert is deleted');
    expect(node.inFlight).toBe(1); // still running: the entry went first
    release();
    await stopped;
    expect((await running).response).toEqual({ ok: true, result: { content: [{ type: 'text', text: 'finished' }] } });
    expect(view.tool(job.name)).toBeUndefined();
    const after = await call(job.name, {}, { timeoutMs: 500 }).catch((error: unknown) => error);
    expect(after).toMatchObject({ code: 'MESH_ERR_NO_RESPONDERS' });
  });

  it('aborts calls still running after the grace period with SHUTTING_DOWN', async () => {
    let aborted = false;
    const forever = defineTool({
      name: unique('forever'),
      input: Type.Object({}),
      handler: (_a, ctx) => new Promise<string>(() => ctx.signal.addEventListener('abort', () => (aborted = true))),
    });
    const node = await startNode([forever]);
    const running = call(forever.name, {});
    await until(() => node.inFlight === 1, 'the call runs');
    await node.stop({ graceMs: 100 });
    expect(errorOf((await running).response).code).toBe(WireErrorCode.ShuttingDown);
    expect(aborted).toBe(true);
    expect(node.inFlight).toBe(0);
  });

  it('uses a connection it was given and leaves it open', async () => {
    const nc = await connect({ servers: nats.url });
    const ping = defineTool({ name: unique('ping'), input: Type.Object({}), handler: () => 'pong' });
    const node = new ComputeNode({ connection: nc, nodeId: 'byo-node' }).register(ping);
    await node.start();
    expect((await call(ping.name, {})).nodeId).toBe('byo-node');
    await node.stop();
    expect(nc.isClosed()).toBe(false);
    await expect(node.start()).rejects.toMatchObject({ code: 'NODE_SDK_ERR_INVALID_STATE' });
    await nc.close();
  });

  it('fails start() with the mesh error when NATS is unreachable, and can retry', async () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:1', nodeId: 'nowhere', mesh: { maxStartupAttempts: 1 } });
    await expect(node.start()).rejects.toMatchObject({ code: 'MESH_ERR_CONNECT_FAILED' });
    // A failed start leaves the node startable, not half-started.
    await expect(node.start()).rejects.toMatchObject({ code: 'MESH_ERR_CONNECT_FAILED' });
    await node.stop();
  });

  it('refuses the header form of older callers and other versions with NODE_ERR_VERSION_MISMATCH, running nothing', async () => {
    let ran = 0;
    const counted = defineTool({
      name: unique('counted'),
      input: Type.Object({}),
      handler: () => {
        ran++;
        return 'ran';
      },
    });
    await using _node = await startNode([counted], { nodeId: 'version-node' });
    // What a release before mesh protocol 2 sent: the metadata in Er-* headers, no version in the body.
    const h = headers();
    h.set(Headers.callId, 'hdr-call');
    h.set(Headers.deadline, String(Date.now() + 5_000));
    const old = await client.request(toolSubject(counted.name), encodeJson({ tool: counted.name, arguments: {} }), {
      timeout: 5_000,
      headers: h,
    });
    const newer = await client.request(
      toolSubject(counted.name),
      encodeJson({ v: MESH_PROTOCOL_VERSION + 1, callId: 'next-1', tool: counted.name, arguments: {} }),
      { timeout: 5_000 },
    );
    for (const reply of [old, newer]) {
      const answer = decodeCallReply(reply.data);
      expect(answer.node).toBe('version-node');
      expect(errorOf(answer.response)).toMatchObject({
        code: WireErrorCode.VersionMismatch,
        message: expect.stringContaining('node version-node refused the request'),
      });
    }
    expect(decodeCallReply(newer.data).callId).toBe('next-1');
    expect(ran).toBe(0);
    const current = await call(counted.name, {});
    expect(current).toMatchObject({ nodeId: 'version-node', response: { ok: true } });
    expect(ran).toBe(1);
  });

  it('answers a raw request in the call format with a headerless CallReply', async () => {
    const plain = defineTool({ name: unique('plain'), input: Type.Object({}), handler: () => 'hi' });
    await using _node = await startNode([plain], { nodeId: 'plain-node' });
    const body = { v: MESH_PROTOCOL_VERSION, callId: 'raw-1', tool: plain.name, arguments: {} };
    const reply = await client.request(toolSubject(plain.name), encodeJson(body), { timeout: 5_000 });
    expect(reply.headers).toBeUndefined();
    expect(decodeCallReply(reply.data)).toMatchObject({
      callId: 'raw-1',
      v: MESH_PROTOCOL_VERSION,
      node: 'plain-node',
      response: { ok: true },
    });
  });
});
