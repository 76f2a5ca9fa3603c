import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { Headers, ProtocolErrorCode, decodeCallRequest, encodeJson } from '@easyremote/protocol';
import { MeshErrorCode, RpcClient, invokeTool } from './index.js';

let nats: NatsServerHandle;
let node: NatsConnection;
let caller: NatsConnection;
let rpc: RpcClient;
let lastRequest: Msg | undefined;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  node = await connect({ servers: nats.url });
  caller = await connect({ servers: nats.url });
  rpc = new RpcClient(caller);
  node.subscribe('tools.echo', {
    queue: 'q',
    callback: (_error, msg) => {
      lastRequest = msg;
      const request = decodeCallRequest(msg.data);
      const hdrs = headers();
      hdrs.set(Headers.nodeId, 'node-a');
      msg.respond(
        encodeJson({ ok: true, result: { content: [{ type: 'text', text: JSON.stringify(request.arguments) }] } }),
        { headers: hdrs },
      );
    },
  });
  node.subscribe('tools.inline', {
    callback: (_error, msg) => {
      const { callId } = decodeCallRequest(msg.data);
      // A stray reply for another call first (a duplicate responder's): dropped, the call waits for its own.
      msg.respond(
        encodeJson({
          callId: 'someone-else',
          node: 'node-x',
          response: { ok: true, result: { content: [{ type: 'text', text: 'stray' }] } },
        }),
      );
      msg.respond(encodeJson({ callId, node: 'node-b', response: { ok: true, result: { content: [] } } }));
    },
  });
  node.subscribe('tools.broken', {
    callback: (_error, msg) => void msg.respond(new TextEncoder().encode('{"ok":"maybe"}')),
  });
  node.subscribe('tools.failing', {
    callback: (_error, msg) =>
      void msg.respond(encodeJson({ ok: false, error: { code: 'NODE_ERR_HANDLER_FAILED', message: 'boom' } })),
  });
  await node.flush();
});

afterAll(async () => {
  rpc?.close();
  await node?.close();
  await caller?.close();
  await nats?.stop();
});

describe('invokeTool', () => {
  it('sends the call id, deadline and notify subject in the body, extra headers as headers, and decodes the reply', async () => {
    const before = Date.now();
    const { response, nodeId } = await invokeTool(
      rpc,
      'tools.echo',
      { tool: 'echo', arguments: { text: 'hi' } },
      { timeoutMs: 2_000, callId: 'call-1', notifySubject: 'notify.call-1', headers: { traceparent: '00-abc-def-01' } },
    );
    expect(response).toEqual({ ok: true, result: { content: [{ type: 'text', text: '{"text":"hi"}' }] } });
    expect(nodeId).toBe('node-a');
    const body = decodeCallRequest(lastRequest?.data ?? new Uint8Array());
    expect(body).toMatchObject({ tool: 'echo', arguments: { text: 'hi' }, callId: 'call-1', notify: 'notify.call-1' });
    expect(body.deadline).toBeGreaterThanOrEqual(before + 2_000);
    expect(body.deadline).toBeLessThanOrEqual(Date.now() + 2_000);
    const hdrs = lastRequest?.headers;
    expect(hdrs?.get(Headers.traceparent)).toBe('00-abc-def-01');
    expect(hdrs?.has(Headers.callId)).toBe(false);
  });

  it('passes an explicit deadline through, omits notify when not asked, and sends no headers without extra ones', async () => {
    await invokeTool(
      rpc,
      'tools.echo',
      { tool: 'echo', arguments: {} },
      { timeoutMs: 1_000, callId: 'call-2', deadline: 1_234 },
    );
    const body = decodeCallRequest(lastRequest?.data ?? new Uint8Array());
    expect(body).toEqual({ tool: 'echo', arguments: {}, callId: 'call-2', deadline: 1_234 });
    expect(lastRequest?.headers).toBeUndefined();
  });

  it('keeps its own call id and deadline over same-named fields of the request, and leaves the request unchanged', async () => {
    const request = { tool: 'echo', arguments: {}, callId: 'stale', deadline: 1 };
    await invokeTool(rpc, 'tools.echo', request, { timeoutMs: 1_000, callId: 'call-3', deadline: 5_678 });
    expect(decodeCallRequest(lastRequest?.data ?? new Uint8Array())).toMatchObject({
      callId: 'call-3',
      deadline: 5_678,
    });
    expect(request).toEqual({ tool: 'echo', arguments: {}, callId: 'stale', deadline: 1 });
  });

  it('reads the node id from a CallReply body, and ignores a reply naming another call', async () => {
    const { response, nodeId } = await invokeTool(
      rpc,
      'tools.inline',
      { tool: 'inline', arguments: {} },
      { timeoutMs: 1_000, callId: 'call-4' },
    );
    expect(response).toEqual({ ok: true, result: { content: [] } });
    expect(nodeId).toBe('node-b');
  });

  it('returns a failed call as a response, not an exception', async () => {
    const { response, nodeId } = await invokeTool(
      rpc,
      'tools.failing',
      { tool: 'failing', arguments: {} },
      { timeoutMs: 1_000, callId: 'c3' },
    );
    expect(response).toEqual({ ok: false, error: { code: 'NODE_ERR_HANDLER_FAILED', message: 'boom' } });
    expect(nodeId).toBeUndefined();
  });

  it('rejects a malformed reply with the protocol code and mesh failures with mesh codes', async () => {
    await expect(
      invokeTool(rpc, 'tools.broken', { tool: 'broken', arguments: {} }, { timeoutMs: 1_000, callId: 'c4' }),
    ).rejects.toMatchObject({
      code: ProtocolErrorCode.MalformedMessage,
    });
    await expect(
      invokeTool(rpc, 'tools.absent', { tool: 'absent', arguments: {} }, { timeoutMs: 1_000, callId: 'c5' }),
    ).rejects.toMatchObject({
      code: MeshErrorCode.NoResponders,
    });
  });
});
