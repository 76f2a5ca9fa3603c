import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import {
  Headers,
  MESH_PROTOCOL_VERSION,
  ProtocolErrorCode,
  decodeCallRequest,
  encodeJson,
  type CallResponse,
} from '@easyremote/protocol';
import { MeshErrorCode, RpcClient, invokeTool } from './index.js';

let nats: NatsServerHandle;
let node: NatsConnection;
let caller: NatsConnection;
let rpc: RpcClient;
let lastRequest: Msg | undefined;

/** A node's reply in the one format. */
const replyTo = (msg: Msg, node: string, response: CallResponse, callId = decodeCallRequest(msg.data).callId) =>
  msg.respond(encodeJson({ callId, v: MESH_PROTOCOL_VERSION, node, response }));

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
      replyTo(msg, 'node-a', {
        ok: true,
        result: { content: [{ type: 'text', text: JSON.stringify(request.arguments) }] },
      });
    },
  });
  node.subscribe('tools.inline', {
    callback: (_error, msg) => {
      const { callId } = decodeCallRequest(msg.data);
      // A stray reply for another call first (a duplicate responder's): dropped, the call waits for its own.
      replyTo(msg, 'node-x', { ok: true, result: { content: [{ type: 'text', text: 'stray' }] } }, 'someone-else');
      replyTo(msg, 'node-b', { ok: true, result: { content: [] } }, callId);
    },
  });
  node.subscribe('tools.broken', {
    callback: (_error, msg) => {
      const { callId } = decodeCallRequest(msg.data);
      // Of this version, but not a CallReply: its response is no CallResponse.
      msg.respond(encodeJson({ callId, v: MESH_PROTOCOL_VERSION, node: 'node-z', response: { ok: 'maybe' } }));
    },
  });
  node.subscribe('tools.failing', {
    callback: (_error, msg) =>
      void replyTo(msg, 'node-c', { ok: false, error: { code: 'NODE_ERR_HANDLER_FAILED', message: 'boom' } }),
  });
  // A node of a release before mesh protocol 2: a CallReply without `v`, or a bare response with Er-Node-Id.
  node.subscribe('tools.older', {
    callback: (_error, msg) => {
      const { callId } = decodeCallRequest(msg.data);
      msg.respond(encodeJson({ callId, node: 'node-old', response: { ok: true, result: { content: [] } } }));
    },
  });
  node.subscribe('tools.newer', {
    callback: (_error, msg) => {
      const { callId } = decodeCallRequest(msg.data);
      const response = { ok: true, result: { content: [] } };
      msg.respond(encodeJson({ callId, v: MESH_PROTOCOL_VERSION + 1, node: 'node-new', response }));
    },
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
    expect(body).toMatchObject({
      v: MESH_PROTOCOL_VERSION,
      tool: 'echo',
      arguments: { text: 'hi' },
      callId: 'call-1',
      notify: 'notify.call-1',
    });
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
    expect(body).toEqual({ v: MESH_PROTOCOL_VERSION, tool: 'echo', arguments: {}, callId: 'call-2', deadline: 1_234 });
    expect(lastRequest?.headers).toBeUndefined();
  });

  it('keeps its own call id and deadline over same-named fields of the request, and leaves the request unchanged', async () => {
    const request = { tool: 'echo', arguments: {}, callId: 'stale', deadline: 1, v: 0 };
    await invokeTool(rpc, 'tools.echo', request, { timeoutMs: 1_000, callId: 'call-3', deadline: 5_678 });
    expect(decodeCallRequest(lastRequest?.data ?? new Uint8Array())).toMatchObject({
      v: MESH_PROTOCOL_VERSION,
      callId: 'call-3',
      deadline: 5_678,
    });
    expect(request).toEqual({ tool: 'echo', arguments: {}, callId: 'stale', deadline: 1, v: 0 });
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
    expect(nodeId).toBe('node-c');
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

  it('rejects the reply of a node of another mesh protocol version with PROTO_ERR_VERSION_MISMATCH', async () => {
    await expect(
      invokeTool(rpc, 'tools.older', { tool: 'older', arguments: {} }, { timeoutMs: 1_000, callId: 'c6' }),
    ).rejects.toMatchObject({
      code: ProtocolErrorCode.VersionMismatch,
      message: expect.stringContaining('carries no mesh protocol version'),
      data: { theirs: null, ours: MESH_PROTOCOL_VERSION },
    });
    await expect(
      invokeTool(rpc, 'tools.newer', { tool: 'newer', arguments: {} }, { timeoutMs: 1_000, callId: 'c7' }),
    ).rejects.toMatchObject({
      code: ProtocolErrorCode.VersionMismatch,
      data: { theirs: MESH_PROTOCOL_VERSION + 1, ours: MESH_PROTOCOL_VERSION },
    });
  });
});
