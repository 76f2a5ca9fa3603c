import { randomUUID } from 'node:crypto';
import { invokeTool, RpcClient } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { CANCEL_SUBJECT, encodeJson, toolSubject, WireErrorCode } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeNode, defineTool } from './index.js';

let nats: NatsServerHandle;
let client: NatsConnection;
let rpc: RpcClient;
let nodes: ComputeNode[];
const aborts = new Map<string, { at: number; reason: unknown }>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** Runs until its signal aborts (at most `ms`), recording when it saw the abort. */
const waiter = defineTool({
  name: `waiter-${randomUUID().slice(0, 8)}`,
  input: Type.Object({ ms: Type.Integer({ default: 10_000 }) }),
  handler: (args, ctx) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('finished'), args.ms);
      ctx.signal.addEventListener('abort', () => {
        aborts.set(ctx.callId, { at: performance.now(), reason: ctx.signal.reason });
        clearTimeout(timer);
        reject(new Error('aborted'));
      });
    }),
});

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  client = await connect({ servers: nats.url });
  rpc = new RpcClient(client);
  // Two nodes in the tool's queue group: the cancel is broadcast, since the caller cannot know which one took the call.
  nodes = [
    new ComputeNode({ servers: nats.url, heartbeatMs: 200 }).register(waiter),
    new ComputeNode({ servers: nats.url, heartbeatMs: 200 }).register(waiter),
  ];
  await Promise.all(nodes.map((node) => node.start()));
});

afterAll(async () => {
  await Promise.all((nodes ?? []).map((node) => node.stop()));
  rpc?.close();
  await client?.close();
  await nats?.stop();
});

function start(callId: string, ms?: number) {
  return invokeTool(
    rpc,
    toolSubject(waiter.name),
    { tool: waiter.name, arguments: ms === undefined ? {} : { ms } },
    { timeoutMs: 15_000, callId },
  );
}

const inFlight = () => nodes.reduce((sum, node) => sum + node.inFlight, 0);

describe('cancellation on calls.cancel', () => {
  it('aborts the handler on whichever node runs the call, and the call answers CANCELLED', async () => {
    const callId = randomUUID();
    const running = start(callId);
    await until(() => inFlight() === 1, 'the call runs');
    const published = performance.now();
    client.publish(CANCEL_SUBJECT, encodeJson({ callId, reason: 'the user pressed stop' }));
    await until(() => aborts.has(callId), 'the handler saw the abort', 5_000);
    const latency = (aborts.get(callId)?.at ?? Infinity) - published;
    process.stdout.write(`cancel publish -> handler abort: ${latency.toFixed(2)} ms\n`);
    expect(aborts.get(callId)?.reason).toMatchObject({
      code: WireErrorCode.Cancelled,
      message: 'the call was cancelled: the user pressed stop',
    });
    const { response, nodeId } = await running;
    expect(response).toEqual({
      ok: false,
      error: { code: WireErrorCode.Cancelled, message: 'the call was cancelled: the user pressed stop' },
    });
    expect(nodes.map((node) => node.nodeId)).toContain(nodeId);
    await until(() => inFlight() === 0, 'the call ended');
  });

  it('ignores cancels of unknown calls and malformed cancels', async () => {
    const callId = randomUUID();
    const running = start(callId, 150);
    await until(() => inFlight() === 1, 'the call runs');
    client.publish(CANCEL_SUBJECT, encodeJson({ callId: 'someone-else' }));
    client.publish(CANCEL_SUBJECT, new TextEncoder().encode('{nope'));
    expect((await running).response).toEqual({ ok: true, result: { content: [{ type: 'text', text: 'finished' }] } });
    expect(aborts.has(callId)).toBe(false);
  });

  it('refuses a second call with an id that is already running', async () => {
    const callId = randomUUID();
    const running = start(callId);
    await until(() => inFlight() === 1, 'the call runs');
    const node = nodes.find((n) => n.inFlight === 1) as ComputeNode;
    const { response } = await invokeTool(
      rpc,
      `nodes.${node.nodeId}.call`,
      { tool: waiter.name, arguments: {} },
      { timeoutMs: 5_000, callId },
    );
    expect(response).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.BadRequest, message: expect.stringContaining('is already running') },
    });
    client.publish(CANCEL_SUBJECT, encodeJson({ callId }));
    expect((await running).response).toMatchObject({ ok: false, error: { code: WireErrorCode.Cancelled } });
  });
});
