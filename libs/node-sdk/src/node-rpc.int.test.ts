import { randomUUID } from 'node:crypto';
import { RpcClient, type NodeRpcBody } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import {
  CANCEL_SUBJECT,
  decodeNodeRpcAnswer,
  encodeJson,
  Headers,
  MESH_PROTOCOL_VERSION,
  nodeRpcSubject,
  RESOURCE_UPDATED_SUBJECT,
  WireErrorCode,
  type NodeRpcAnswer,
  type NodeRpcReply,
} from '@easyremote/protocol';
import { openRegistry, RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeNode, definePrompt, defineResource, defineResourceTemplate, ToolError } from './index.js';

let nats: NatsServerHandle;
let client: NatsConnection;
let rpc: RpcClient;
let view: RegistryView;
let node: ComputeNode;
let readAborted: { at: number; reason: unknown } | undefined;

const NODE_ID = 'rpc-node';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** One raw request on nodes.<id>.rpc and the node's whole CallReply. */
async function exchange(body: unknown, headers: Record<string, string> = {}): Promise<NodeRpcAnswer> {
  const reply = await rpc.request(nodeRpcSubject(NODE_ID), encodeJson(body), { timeoutMs: 5_000, headers });
  return decodeNodeRpcAnswer(reply.data);
}

/** A request in the call format; the reply must echo its call id and name this node. */
async function send(request: NodeRpcBody, options: { callId?: string; deadline?: number } = {}): Promise<NodeRpcReply> {
  const callId = options.callId ?? randomUUID();
  const answer = await exchange({ ...request, v: MESH_PROTOCOL_VERSION, callId, deadline: options.deadline });
  expect(answer).toMatchObject({ callId, v: MESH_PROTOCOL_VERSION, node: NODE_ID });
  return answer.response;
}

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  client = await connect({ servers: nats.url });
  rpc = new RpcClient(client);
  view = await RegistryView.start(await openRegistry(client));
  node = new ComputeNode({ servers: nats.url, nodeId: NODE_ID, heartbeatMs: 200 }).register(
    defineResource({
      uri: 'test://static-text',
      name: 'static-text',
      description: 'text',
      mimeType: 'text/plain',
      read: () => 'static text',
    }),
    defineResource({
      uri: 'test://slow',
      name: 'slow',
      read: (_uri, ctx) =>
        new Promise<string>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            readAborted = { at: performance.now(), reason: ctx.signal.reason };
            reject(new Error('aborted'));
          });
        }),
    }),
    defineResource({
      uri: 'test://forbidden',
      name: 'forbidden',
      read: () => {
        throw new ToolError('DEMO_ERR_FORBIDDEN', 'not for you');
      },
    }),
    defineResourceTemplate({
      uriTemplate: 'test://template/{id}/data',
      name: 'template',
      mimeType: 'application/json',
      read: (uri, { id }) => ({ contents: [{ uri, text: JSON.stringify({ id }) }] }),
      complete: { id: (value) => ['123', '124', '200'].filter((id) => id.startsWith(value)) },
    }),
    definePrompt({
      name: 'greet',
      description: 'Greets someone',
      arguments: [{ name: 'who', required: true }, { name: 'style' }],
      get: ({ who, style }) => ({
        description: 'a greeting',
        messages: [{ role: 'user', content: { type: 'text', text: `Hello ${who}${style ? ` (${style})` : ''}` } }],
      }),
      complete: {
        style: (value, ctx) =>
          ['warm', 'formal', `for-${ctx.arguments.who ?? 'nobody'}`].filter((s) => s.startsWith(value)),
      },
    }),
  );
  await node.start();
});

afterAll(async () => {
  await node?.stop();
  view?.stop();
  rpc?.close();
  await client?.close();
  await nats?.stop();
});

describe('ComputeNode resources, prompts and completions', () => {
  it('advertises resources, templates and prompts beside its tools', async () => {
    await until(() => view.node(NODE_ID)?.advert.prompts !== undefined, 'the advert carries the prompts');
    const advert = view.node(NODE_ID)?.advert;
    expect(advert?.tools).toEqual([]);
    expect(advert?.resources?.map((r) => r.uri)).toEqual(['test://static-text', 'test://slow', 'test://forbidden']);
    expect(advert?.resourceTemplates).toEqual([
      { uriTemplate: 'test://template/{id}/data', name: 'template', mimeType: 'application/json', completable: ['id'] },
    ]);
    expect(advert?.prompts).toEqual([
      {
        name: 'greet',
        description: 'Greets someone',
        arguments: [{ name: 'who', required: true }, { name: 'style' }],
        completable: ['style'],
      },
    ]);
  });

  it('reads resources exactly, then through templates, and says NOT_FOUND otherwise', async () => {
    expect(await send({ method: 'resources/read', params: { uri: 'test://static-text' } })).toEqual({
      ok: true,
      result: { contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'static text' }] },
    });
    expect(await send({ method: 'resources/read', params: { uri: 'test://template/123/data' } })).toEqual({
      ok: true,
      result: { contents: [{ uri: 'test://template/123/data', mimeType: 'application/json', text: '{"id":"123"}' }] },
    });
    expect(await send({ method: 'resources/read', params: { uri: 'test://missing' } })).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.NotFound },
    });
    expect(await send({ method: 'resources/read', params: { uri: 'test://forbidden' } })).toEqual({
      ok: false,
      error: { code: 'DEMO_ERR_FORBIDDEN', message: 'not for you' },
    });
  });

  it('gets prompts and names missing required arguments', async () => {
    expect(await send({ method: 'prompts/get', params: { name: 'greet', arguments: { who: 'Ada' } } })).toEqual({
      ok: true,
      result: { description: 'a greeting', messages: [{ role: 'user', content: { type: 'text', text: 'Hello Ada' } }] },
    });
    expect(await send({ method: 'prompts/get', params: { name: 'greet', arguments: { style: 'warm' } } })).toEqual({
      ok: false,
      error: { code: WireErrorCode.InvalidArguments, message: 'prompt "greet" is missing required argument: who' },
    });
  });

  it('completes prompt arguments and template variables; nothing to complete is an empty answer', async () => {
    expect(
      await send({
        method: 'completion/complete',
        params: {
          ref: { type: 'ref/prompt', name: 'greet' },
          argument: { name: 'style', value: '' },
          context: { arguments: { who: 'Ada' } },
        },
      }),
    ).toEqual({
      ok: true,
      result: { completion: { values: ['warm', 'formal', 'for-Ada'], total: 3, hasMore: false } },
    });
    expect(
      await send({
        method: 'completion/complete',
        params: {
          ref: { type: 'ref/resource', uri: 'test://template/{id}/data' },
          argument: { name: 'id', value: '12' },
        },
      }),
    ).toEqual({
      ok: true,
      result: { completion: { values: ['123', '124'], total: 2, hasMore: false } },
    });
    expect(
      await send({
        method: 'completion/complete',
        params: { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'A' } },
      }),
    ).toEqual({
      ok: true,
      result: { completion: { values: [], total: 0, hasMore: false } },
    });
  });

  it('answers malformed requests with BAD_REQUEST, echoing the call id', async () => {
    const answer = await exchange({ v: MESH_PROTOCOL_VERSION, callId: 'bad-1', method: 'tools/call', params: {} });
    expect(answer).toMatchObject({ callId: 'bad-1', node: NODE_ID, response: { ok: false } });
    expect(answer.response).toMatchObject({ ok: false, error: { code: WireErrorCode.BadRequest } });
    const unparsable = await rpc.request(nodeRpcSubject(NODE_ID), new TextEncoder().encode('{nope'), {
      timeoutMs: 5_000,
    });
    expect(decodeNodeRpcAnswer(unparsable.data)).toMatchObject({
      callId: '',
      response: { ok: false, error: { code: WireErrorCode.BadRequest } },
    });
  });

  it('refuses a peer of another mesh protocol version, in the body or the Er-Version header, and runs nothing', async () => {
    const read = { method: 'resources/read', params: { uri: 'test://slow' } };
    const refusals = [
      await exchange({ ...read, callId: 'old-1' }),
      await exchange({ ...read, v: 1, callId: 'old-2' }),
      await exchange({ ...read, v: MESH_PROTOCOL_VERSION + 1, callId: 'new-1' }),
      await exchange({ ...read, v: MESH_PROTOCOL_VERSION, callId: 'hdr-1' }, { [Headers.version]: '1' }),
    ];
    for (const answer of refusals) {
      expect(answer.response).toMatchObject({ ok: false, error: { code: WireErrorCode.VersionMismatch } });
      const { message } = (answer.response as { error: { message: string } }).error;
      expect(message).toContain(`node ${NODE_ID} refused the request`);
      expect(message).toContain(`version ${MESH_PROTOCOL_VERSION}`);
    }
    expect(refusals.map((answer) => answer.callId)).toEqual(['old-1', 'old-2', 'new-1', 'hdr-1']);
    expect((refusals[0]!.response as { error: { message: string } }).error.message).toContain(
      'carries no mesh protocol version',
    );
    expect(node.inFlight).toBe(0);
    // The same header with this version is accepted.
    const same = await exchange(
      { method: 'resources/read', params: { uri: 'test://static-text' }, v: MESH_PROTOCOL_VERSION, callId: 'ok-1' },
      { [Headers.version]: String(MESH_PROTOCOL_VERSION) },
    );
    expect(same.response).toMatchObject({ ok: true });
  });

  it('honours the deadline and cancels a read by its call id', async () => {
    expect(
      await send({ method: 'resources/read', params: { uri: 'test://slow' } }, { deadline: Date.now() + 100 }),
    ).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.DeadlineExceeded },
    });
    readAborted = undefined;
    const callId = randomUUID();
    const pending = send({ method: 'resources/read', params: { uri: 'test://slow' } }, { callId });
    await until(() => node.inFlight === 1, 'the read runs');
    const published = performance.now();
    client.publish(CANCEL_SUBJECT, encodeJson({ callId, reason: 'user closed the dialog' }));
    expect(await pending).toEqual({
      ok: false,
      error: { code: WireErrorCode.Cancelled, message: 'the call was cancelled: user closed the dialog' },
    });
    const seen = readAborted as { at: number; reason: unknown } | undefined;
    expect(seen?.reason).toMatchObject({ code: WireErrorCode.Cancelled });
    expect((seen?.at ?? Infinity) - published).toBeLessThan(100);
    await until(() => node.inFlight === 0, 'the read ended');
  });

  it('publishes resource updates for gateways to relay', async () => {
    const seen: unknown[] = [];
    const sub = client.subscribe(RESOURCE_UPDATED_SUBJECT, { callback: (_e, msg) => void seen.push(msg.json()) });
    await client.flush();
    node.notifyResourceUpdated('test://static-text');
    await until(() => seen.length === 1, 'the update arrived');
    sub.unsubscribe();
    expect(seen).toEqual([{ uri: 'test://static-text' }]);
  });
});
