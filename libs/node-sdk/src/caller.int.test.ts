import { randomUUID } from 'node:crypto';
import { invokeNodeRpc, invokeTool, RpcClient, type NodeRpcBody } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { nodeCallSubject, toolSubject, type CallerIdentity } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeNode, defineResource, defineTool, type HandlerContext } from './index.js';

const NODE_ID = 'caller-node';

/** What a handler learned about its caller. */
function seen(ctx: HandlerContext) {
  return {
    caller: ctx.caller ?? null,
    public: ctx.mayRead('easyremote://data/public-1'),
    private: ctx.mayRead('EASYREMOTE://DATA/%70rivate-1'),
  };
}

describe('the caller travels with the call to the handler (ctx.caller, ctx.mayRead)', () => {
  let nats: NatsServerHandle;
  let client: NatsConnection;
  let rpc: RpcClient;
  let node: ComputeNode;
  const plans: unknown[] = [];

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    client = await connect({ servers: nats.url });
    rpc = new RpcClient(client);
    node = new ComputeNode({ servers: nats.url, nodeId: NODE_ID, heartbeatMs: 200 }).register(
      defineTool({ name: 'whoami', input: Type.Object({}), handler: (_args, ctx) => seen(ctx) }),
      defineTool({
        name: 'planned',
        input: Type.Object({}),
        fanout: { split: { plan: (_args, ctx) => (plans.push(seen(ctx)), [1, 2]) }, merge: 'concat' },
        handler: () => 'chunk',
      }),
      defineResource({ uri: 'test://who', name: 'who', read: (_uri, ctx) => JSON.stringify(seen(ctx)) }),
    );
    await node.start();
  });
  afterAll(async () => {
    await node?.stop();
    rpc?.close();
    await client?.close();
    await nats?.stop();
  });

  const call = async (subject: string, caller?: CallerIdentity) => {
    const { response } = await invokeTool(
      rpc,
      subject,
      { tool: 'whoami', arguments: {}, ...(caller ? { caller } : {}) },
      { timeoutMs: 5_000, callId: randomUUID() },
    );
    if (!response.ok || !('result' in response)) throw new Error(JSON.stringify(response));
    return JSON.parse(String(response.result.content[0]?.text));
  };
  const rpcRequest = async (request: NodeRpcBody) => {
    const reply = await invokeNodeRpc(rpc, NODE_ID, request, { timeoutMs: 5_000, callId: randomUUID() });
    if (!('result' in reply)) throw new Error(JSON.stringify(reply));
    return reply;
  };

  it('a tool call sees the principal and decides reads on its scopes, in any spelling', async () => {
    const narrow = { principal: 'key:0123', scopes: ['tools:call', 'resources:read:easyremote://data/public-*'] };
    expect(await call(toolSubject('whoami'), narrow)).toEqual({ caller: narrow, public: true, private: false });
    expect(await call(nodeCallSubject(NODE_ID), { principal: 'anonymous', scopes: ['admin'] })).toMatchObject({
      public: true,
      private: true,
    });
  });

  it('a call without a caller (an older gateway, a plain remote()) reads nothing', async () => {
    expect(await call(toolSubject('whoami'))).toEqual({ caller: null, public: false, private: false });
  });

  it('fan-out plans and resource reads over nodes.<id>.rpc see the caller too', async () => {
    const narrow = { principal: 'key:0456', scopes: ['resources:read:easyremote://data/public-*'] };
    const planned = await rpcRequest({
      method: 'fanout/plan',
      params: { tool: 'planned', arguments: {} },
      caller: narrow,
    });
    expect(planned).toMatchObject({ ok: true, result: { chunks: [1, 2] } });
    expect(plans.at(-1)).toEqual({ caller: narrow, public: true, private: false });
    const read = await rpcRequest({ method: 'resources/read', params: { uri: 'test://who' }, caller: narrow });
    expect(read.ok && JSON.parse(String((read.result.contents as Array<{ text: string }>)[0]?.text))).toEqual({
      caller: narrow,
      public: true,
      private: false,
    });
    await rpcRequest({ method: 'fanout/plan', params: { tool: 'planned', arguments: {} } });
    expect(plans.at(-1)).toEqual({ caller: null, public: false, private: false });
  });
});
