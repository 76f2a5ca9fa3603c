import { randomUUID } from 'node:crypto';
import { invokeNodeRpc, invokeTool, resumeOnNode, RpcClient, type NodeRpcBody } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import {
  CANCEL_SUBJECT,
  decodeCallReply,
  decodeClientRequest,
  encodeJson,
  Headers,
  MESH_PROTOCOL_VERSION,
  nodeResumeSubject,
  toolSubject,
  WireErrorCode,
  type CallRequest,
  type CallResponse,
  type ClientReply,
  type ClientRequest,
  type NodeRpcReply,
} from '@easyremote/protocol';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ComputeNode,
  definePrompt,
  defineResource,
  defineTool,
  type NodeDefinition,
  type ToolDefinition,
} from './index.js';

let nats: NatsServerHandle;
let client: NatsConnection;
let rpc: RpcClient;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  client = await connect({ servers: nats.url });
  rpc = new RpcClient(client);
});

afterAll(async () => {
  rpc?.close();
  await client?.close();
  await nats?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

function unique(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

async function startNode(tools: NodeDefinition[], maxConcurrency = 8): Promise<ComputeNode> {
  const node = new ComputeNode({ servers: nats.url, heartbeatMs: 200, maxConcurrency }).register(...tools);
  await node.start();
  return node;
}

const FORM = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };

/** Asks for a name (elicitation), then greets; a handler as a tool author would write it. */
function greeter(): ToolDefinition {
  return defineTool({
    name: unique('greeter'),
    input: Type.Object({}),
    handler: async (_args, ctx) => {
      const answer = await ctx.elicit({ message: 'Your name?', requestedSchema: FORM });
      return answer.action === 'accept' ? `hello ${String(answer.content?.name)}` : `no name (${answer.action})`;
    },
  });
}

interface CallOptions {
  client?: CallRequest['client'];
  notifySubject?: string;
  callId?: string;
  deadline?: number;
}

async function call(tool: string, options: CallOptions = {}) {
  return invokeTool(
    rpc,
    toolSubject(tool),
    { tool, arguments: {}, ...(options.client ? { client: options.client } : {}) },
    {
      timeoutMs: 5_000,
      callId: options.callId ?? randomUUID(),
      ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
      ...(options.notifySubject === undefined ? {} : { notifySubject: options.notifySubject }),
    },
  );
}

async function resume(nodeId: string, callId: string, inputResponses: Record<string, unknown>): Promise<CallResponse> {
  const body = encodeJson({ v: MESH_PROTOCOL_VERSION, callId, inputResponses });
  const reply = await rpc.request(nodeResumeSubject(nodeId), body, { timeoutMs: 5_000 });
  const answer = decodeCallReply(reply.data);
  expect(answer).toMatchObject({ callId, node: nodeId });
  return answer.response;
}

/** A gateway stand-in: answers the node's client requests on a notify subject. */
function fakeGateway(answer: (request: ClientRequest) => ClientReply): {
  subject: string;
  seen: { request: ClientRequest; callId: string | undefined; deadline: string | undefined }[];
  sub: Subscription;
} {
  const subject = `_NOTIFY.${randomUUID()}`;
  const seen: { request: ClientRequest; callId: string | undefined; deadline: string | undefined }[] = [];
  const sub = client.subscribe(subject, {
    callback: (_error, msg) => {
      if (!msg.reply) return; // progress and log notifications
      const request = decodeClientRequest(msg.data);
      seen.push({ request, callId: msg.headers?.get(Headers.callId), deadline: msg.headers?.get(Headers.deadline) });
      msg.respond(encodeJson(answer(request)));
    },
  });
  return { subject, seen, sub };
}

const legacy = (capabilities: Record<string, unknown>) => ({ era: '2025-11-25' as const, capabilities });
const modern = (capabilities: Record<string, unknown>) => ({ era: '2026-07-28' as const, capabilities });

describe('client requests from 2025-era calls', () => {
  it('asks the client through the call notify subject and returns its answer', async () => {
    const tool = greeter();
    await using _node = await startNode([tool]);
    const gateway = fakeGateway(() => ({ ok: true, result: { action: 'accept', content: { name: 'Ada' } } }));
    await client.flush();
    const callId = randomUUID();
    const { response } = await call(tool.name, {
      client: legacy({ elicitation: {} }),
      notifySubject: gateway.subject,
      callId,
    });
    gateway.sub.unsubscribe();
    expect(response).toEqual({ ok: true, result: { content: [{ type: 'text', text: 'hello Ada' }] } });
    expect(gateway.seen).toHaveLength(1);
    expect(gateway.seen[0]).toMatchObject({
      request: {
        kind: 'request',
        method: 'elicitation/create',
        params: { message: 'Your name?', requestedSchema: FORM },
      },
      callId,
    });
    expect(Number(gateway.seen[0]?.deadline)).toBeGreaterThan(Date.now());
  });

  it('fails the request with the code of a client error', async () => {
    const tool = greeter();
    await using _node = await startNode([tool]);
    const gateway = fakeGateway(() => ({
      ok: false,
      error: { code: 'GW_ERR_CLIENT_ERROR', message: 'the user closed the form' },
    }));
    await client.flush();
    const { response } = await call(tool.name, { client: legacy({ elicitation: {} }), notifySubject: gateway.subject });
    gateway.sub.unsubscribe();
    expect(response).toEqual({
      ok: false,
      error: { code: 'GW_ERR_CLIENT_ERROR', message: 'the user closed the form' },
    });
  });

  it('fails with CLIENT_REQUEST_FAILED without a capability, a client field or a notify subject', async () => {
    const tool = greeter();
    await using _node = await startNode([tool]);
    const failed = (message: string) => ({ ok: false, error: { code: WireErrorCode.ClientRequestFailed, message } });
    expect((await call(tool.name, { client: legacy({ sampling: {} }), notifySubject: 'x' })).response).toEqual(
      failed('the client does not support elicitation'),
    );
    expect((await call(tool.name, { notifySubject: 'x' })).response).toEqual(
      failed('the client does not support elicitation (the call did not say who the client is)'),
    );
    expect((await call(tool.name, { client: modern({ roots: {} }) })).response).toEqual(
      failed('the client does not support elicitation'),
    );
    expect((await call(tool.name, { client: legacy({ elicitation: {} }) })).response).toEqual(
      failed('the call carries no notify subject, so elicitation/create cannot reach the client'),
    );
  });
});

describe('client requests from 2026-era calls (input_required and resumes)', () => {
  it('answers the call with inputRequired, parks the handler, and answers the resume with the result', async () => {
    const tool = greeter();
    await using node = await startNode([tool]);
    const callId = randomUUID();
    const first = await call(tool.name, { client: modern({ elicitation: {} }), callId });
    expect(first.response).toEqual({
      ok: true,
      inputRequired: {
        'input-1': { method: 'elicitation/create', params: { message: 'Your name?', requestedSchema: FORM } },
      },
    });
    expect(first.nodeId).toBe(node.nodeId);
    expect(node.inFlight).toBe(1); // parked, still holding its slot

    expect(await resume(node.nodeId, callId, { 'input-1': { action: 'accept', content: { name: 'Grace' } } })).toEqual({
      ok: true,
      result: { content: [{ type: 'text', text: 'hello Grace' }] },
    });
    expect(node.inFlight).toBe(0);
    // The call is over: a second resume finds nothing.
    expect(await resume(node.nodeId, callId, { 'input-1': {} })).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.CallNotFound },
    });
  });

  it('runs several rounds, one inputRequired per round, requests of one tick together', async () => {
    const tool = defineTool({
      name: unique('survey'),
      input: Type.Object({}),
      handler: async (_args, ctx) => {
        const [a, b] = await Promise.all([
          ctx.elicit({ message: 'a?', requestedSchema: FORM }),
          ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'b?' } }], maxTokens: 5 }),
        ]);
        const roots = await ctx.listRoots();
        return `${String(a.content?.name)} ${reply(b.content)} ${roots.roots.length}`;
      },
    });
    const reply = (content: unknown) => (content as { text: string }).text;
    await using node = await startNode([tool]);
    const callId = randomUUID();
    const caps = modern({ elicitation: {}, sampling: {}, roots: {} });
    const round1 = (await call(tool.name, { client: caps, callId })).response;
    expect(round1).toMatchObject({
      ok: true,
      inputRequired: { 'input-1': { method: 'elicitation/create' }, 'input-2': { method: 'sampling/createMessage' } },
    });
    const round2 = await resume(node.nodeId, callId, {
      'input-1': { action: 'accept', content: { name: 'x' } },
      'input-2': { role: 'assistant', content: { type: 'text', text: 'y' }, model: 'm' },
    });
    expect(round2).toEqual({ ok: true, inputRequired: { 'input-3': { method: 'roots/list', params: {} } } });
    expect(await resume(node.nodeId, callId, { 'input-3': { roots: [{ uri: 'file:///r' }] } })).toEqual({
      ok: true,
      result: { content: [{ type: 'text', text: 'x y 1' }] },
    });
  });

  it('names a request with the key the handler chose', async () => {
    const tool = defineTool({
      name: unique('keyed'),
      input: Type.Object({}),
      handler: async (_args, ctx) => (await ctx.listRoots({ key: 'client_roots' })).roots.length,
    });
    await using node = await startNode([tool]);
    const callId = randomUUID();
    expect((await call(tool.name, { client: modern({ roots: {} }), callId })).response).toEqual({
      ok: true,
      inputRequired: { client_roots: { method: 'roots/list', params: {} } },
    });
    expect(await resume(node.nodeId, callId, { client_roots: { roots: [] } })).toEqual({
      ok: true,
      result: { content: [{ type: 'text', text: '0' }] },
    });
  });

  it('says CALL_NOT_FOUND for unknown calls and calls that are not 2026-era', async () => {
    await using node = await startNode([greeter()]);
    expect(await resume(node.nodeId, 'never-ran', {})).toEqual({
      ok: false,
      error: {
        code: WireErrorCode.CallNotFound,
        message: `call "never-ran" is not waiting for input on node ${node.nodeId} (it finished, expired or never ran here)`,
      },
    });
  });

  it('keeps the concurrency slot while parked', async () => {
    const tool = greeter();
    await using node = await startNode([tool], 1);
    const callId = randomUUID();
    expect((await call(tool.name, { client: modern({ elicitation: {} }), callId })).response).toMatchObject({
      inputRequired: {},
    });
    expect((await call(tool.name, { client: modern({ elicitation: {} }) })).response).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.Overloaded },
    });
    expect(await resume(node.nodeId, callId, { 'input-1': { action: 'decline' } })).toMatchObject({
      ok: true,
      result: { content: [{ text: 'no name (decline)' }] },
    });
    expect(node.inFlight).toBe(0);
  });

  it('aborts a parked handler at the deadline and frees its slot; a later resume finds nothing', async () => {
    let reason: unknown;
    const tool = defineTool({
      name: unique('patient'),
      input: Type.Object({}),
      handler: async (_args, ctx) => {
        ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
        await ctx.elicit({ message: 'x', requestedSchema: FORM });
        return 'answered';
      },
    });
    await using node = await startNode([tool]);
    const callId = randomUUID();
    expect(
      (await call(tool.name, { client: modern({ elicitation: {} }), callId, deadline: Date.now() + 200 })).response,
    ).toMatchObject({ inputRequired: {} });
    await until(() => node.inFlight === 0, 'the parked call expired');
    expect(reason).toMatchObject({ code: WireErrorCode.DeadlineExceeded });
    expect(
      await resume(node.nodeId, callId, { 'input-1': { action: 'accept', content: { name: 'late' } } }),
    ).toMatchObject({ ok: false, error: { code: WireErrorCode.CallNotFound } });
  });

  it('serves resumes while stopping, so a parked call finishes within the grace period', async () => {
    const tool = greeter();
    const node = await startNode([tool]);
    const callId = randomUUID();
    expect((await call(tool.name, { client: modern({ elicitation: {} }), callId })).response).toMatchObject({
      inputRequired: {},
    });
    const stopped = node.stop({ graceMs: 5_000 });
    await sleep(100);
    expect(
      await call(tool.name, { client: modern({ elicitation: {} }) }).catch((error: unknown) => error),
    ).toMatchObject({ code: 'MESH_ERR_NO_RESPONDERS' });
    expect(
      await resume(node.nodeId, callId, { 'input-1': { action: 'accept', content: { name: 'Lin' } } }),
    ).toMatchObject({ ok: true, result: { content: [{ text: 'hello Lin' }] } });
    await stopped;
    expect(node.inFlight).toBe(0);
  });

  it('aborts a parked handler on cancel', async () => {
    let reason: unknown;
    const tool = defineTool({
      name: unique('cancelled'),
      input: Type.Object({}),
      handler: async (_args, ctx) => {
        try {
          await ctx.elicit({ message: 'x', requestedSchema: FORM });
        } catch (error) {
          reason = error;
          throw error;
        }
        return 'answered';
      },
    });
    await using node = await startNode([tool]);
    const callId = randomUUID();
    expect((await call(tool.name, { client: modern({ elicitation: {} }), callId })).response).toMatchObject({
      inputRequired: {},
    });
    client.publish(CANCEL_SUBJECT, encodeJson({ callId }));
    await until(() => node.inFlight === 0, 'the parked call was cancelled');
    expect(reason).toMatchObject({ code: WireErrorCode.Cancelled, message: 'the call was cancelled by its caller' });
  });
});

describe('client requests from resource reads and prompts', () => {
  const topic = () =>
    definePrompt({
      name: unique('topic'),
      get: async (_args, ctx) => {
        const answer = await ctx.elicit({ message: 'Which topic?', requestedSchema: FORM }, { key: 'user_context' });
        return `Write about ${String(answer.content?.name)}`;
      },
    });

  async function rpcCall(
    nodeId: string,
    request: NodeRpcBody,
    options: { callId?: string; notifySubject?: string } = {},
  ): Promise<NodeRpcReply> {
    return invokeNodeRpc(rpc, nodeId, request, {
      timeoutMs: 5_000,
      callId: options.callId ?? randomUUID(),
      notifySubject: options.notifySubject,
    });
  }

  it('parks a 2026-era prompt on inputRequired and answers its resume with the messages', async () => {
    const prompt = topic();
    await using node = await startNode([prompt]);
    const callId = randomUUID();
    const first = await rpcCall(
      node.nodeId,
      { method: 'prompts/get', params: { name: prompt.name }, client: modern({ elicitation: {} }) },
      { callId },
    );
    expect(first).toEqual({
      ok: true,
      inputRequired: {
        user_context: { method: 'elicitation/create', params: { message: 'Which topic?', requestedSchema: FORM } },
      },
    });
    const reply = await resumeOnNode(
      rpc,
      node.nodeId,
      { user_context: { action: 'accept', content: { name: 'tides' } } },
      { callId, timeoutMs: 5_000, rpc: true },
    );
    expect(reply).toEqual({
      ok: true,
      result: { messages: [{ role: 'user', content: { type: 'text', text: 'Write about tides' } }] },
    });
    expect(node.inFlight).toBe(0);
  });

  it("asks a 2025-era client from a resource read through the request's notify subject, and fails without a client", async () => {
    const resource = defineResource({
      uri: `test://asks/${randomUUID()}`,
      name: 'asks',
      read: async (_uri, ctx) => (await ctx.listRoots()).roots.map((root) => root.uri).join(','),
    });
    await using node = await startNode([resource]);
    const gateway = fakeGateway(() => ({ ok: true, result: { roots: [{ uri: 'file:///a' }] } }));
    await client.flush();
    const read = { method: 'resources/read' as const, params: { uri: resource.uri } };
    expect(
      await rpcCall(node.nodeId, { ...read, client: legacy({ roots: {} }) }, { notifySubject: gateway.subject }),
    ).toEqual({
      ok: true,
      result: { contents: [{ uri: resource.uri, text: 'file:///a' }] },
    });
    gateway.sub.unsubscribe();
    expect(await rpcCall(node.nodeId, read)).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.ClientRequestFailed },
    });
  });
});
