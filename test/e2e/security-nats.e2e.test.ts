import { connect as connectTcp } from 'node:net';
import { freePorts, startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { invokeTool, RpcClient } from '@easyremote/mesh';
import { ComputeNode, defineTool } from '@easyremote/node-sdk';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCerts, nodeUser, secureServerConfig, type TestCerts } from '../support/nats-secure.js';

const GATEWAY_PASSWORD = 'gateway-secret';
const LEAF_PASSWORD = 'leaf-secret';

/** Waits for the server's permission error on this connection (nats.js reports it as a status event). */
async function nextPermissionError(nc: NatsConnection, timeoutMs = 3000): Promise<string> {
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('no error'), timeoutMs));
  const seen = (async () => {
    for await (const status of nc.status()) {
      const text = JSON.stringify(status);
      if (/permission/i.test(text)) return text;
    }
    return 'closed';
  })();
  return Promise.race([seen, timer]);
}

// nats/secure: TLS on client and leaf connections, one user per compute node with subject
// permissions from nats/secure/node-user.conf.tmpl. The server itself refuses what a node may not do.
describe('NATS-level security (nats/secure): per-node users and TLS', () => {
  let certs: TestCerts;
  let nats: NatsServerHandle;
  let leafPort: number;
  const opened: NatsConnection[] = [];

  const connectAs = async (user: string, password: string, inboxPrefix?: string) => {
    const nc = await connect({
      servers: nats.url,
      user,
      pass: password,
      tls: { caFile: certs.ca },
      ...(inboxPrefix ? { inboxPrefix } : {}),
    });
    opened.push(nc);
    return nc;
  };

  beforeAll(async () => {
    certs = generateCerts();
    [leafPort] = (await freePorts(1)) as [number];
    const users = [
      `{ user: "gateway", password: ${JSON.stringify(GATEWAY_PASSWORD)}, permissions: { publish: ">", subscribe: ">" } }`,
      nodeUser('gpu-1', 'pw-a'),
      nodeUser('gpu-2', 'pw-b'),
      // A node user from an older template: everything but the task grant.
      nodeUser('gpu-3', 'pw-c')
        .split('\n')
        .filter((line) => !line.includes('easyremote-tasks'))
        .join('\n'),
    ];
    nats = await startNats({
      path: process.env.PATH,
      config: secureServerConfig(certs, users, leafPort, LEAF_PASSWORD),
    });
    // The gateway creates the registry bucket, as it does at start.
    const gateway = await connectAs('gateway', GATEWAY_PASSWORD);
    await new Kvm(gateway).create('easyremote-registry', { history: 1 });
    await new Kvm(gateway).create('easyremote-tasks', { history: 1 });
  });

  afterAll(async () => {
    await Promise.all(opened.map((nc) => nc.close().catch(() => undefined)));
    await nats?.stop();
  });

  it('a node writes its own registry entry but publishing another node’s entry is refused by the server', async () => {
    const nodeA = await connectAs('node-gpu-1', 'pw-a', '_INBOX_gpu-1');
    const own = await jetstream(nodeA).publish('$KV.easyremote-registry.gpu-1', JSON.stringify({ nodeId: 'gpu-1' }));
    expect(own.seq).toBeGreaterThan(0);

    const refused = nextPermissionError(nodeA);
    nodeA.publish('$KV.easyremote-registry.gpu-2', JSON.stringify({ nodeId: 'gpu-2', hijacked: true }));
    expect(JSON.parse(await refused)).toMatchObject({
      error: { name: 'PermissionViolationError', operation: 'publish', subject: '$KV.easyremote-registry.gpu-2' },
    });

    const gateway = await connectAs('gateway', GATEWAY_PASSWORD);
    const kv = await new Kvm(gateway).open('easyremote-registry');
    expect(await kv.get('gpu-2')).toBeNull();
    expect((await kv.get('gpu-1'))?.json()).toEqual({ nodeId: 'gpu-1' });
  });

  it('a node writes the states of its own tasks, and neither another node’s nor the gateways’ task records', async () => {
    const nodeA = await connectAs('node-gpu-1', 'pw-a', '_INBOX_gpu-1');
    // Binding the bucket (stream info) and a put are what node-sdk's TaskStateWriter does.
    const tasks = await new Kvm(nodeA).open('easyremote-tasks');
    expect(await tasks.put('n.gpu-1.AAAAAAAAAAAAAAAAAAAAAA', JSON.stringify({ seq: 1 }))).toBeGreaterThan(0);

    for (const key of ['n.gpu-2.AAAAAAAAAAAAAAAAAAAAAA', 't.AAAAAAAAAAAAAAAAAAAAAA']) {
      const refused = nextPermissionError(nodeA);
      nodeA.publish(`$KV.easyremote-tasks.${key}`, JSON.stringify({ forged: true }));
      expect(JSON.parse(await refused)).toMatchObject({
        error: { name: 'PermissionViolationError', operation: 'publish', subject: `$KV.easyremote-tasks.${key}` },
      });
    }
    const gateway = await connectAs('gateway', GATEWAY_PASSWORD);
    const kv = await new Kvm(gateway).open('easyremote-tasks');
    expect(await kv.get('n.gpu-2.AAAAAAAAAAAAAAAAAAAAAA')).toBeNull();
    expect(await kv.get('t.AAAAAAAAAAAAAAAAAAAAAA')).toBeNull();
    expect((await kv.get('n.gpu-1.AAAAAAAAAAAAAAAAAAAAAA'))?.json()).toEqual({ seq: 1 });
  });

  it('a node whose user may not write task states refuses a task call at once, instead of leaving it working', async () => {
    const nodeC = await connectAs('node-gpu-3', 'pw-c', '_INBOX_gpu-3');
    const node = new ComputeNode({ connection: nodeC, nodeId: 'gpu-3', heartbeatMs: 500 });
    node.register(
      defineTool({
        name: 'echo',
        input: Type.Object({ text: Type.String() }),
        task: { support: 'optional' },
        handler: ({ text }) => text,
      }),
    );
    await node.start();
    try {
      const gateway = await connectAs('gateway', GATEWAY_PASSWORD);
      const rpc = new RpcClient(gateway);
      const body = { tool: 'echo', arguments: { text: 'x' }, task: { id: 'B'.repeat(22) } };
      const { response } = await invokeTool(rpc, 'nodes.gpu-3.call', body, { timeoutMs: 10_000, callId: 'probe-call' });
      expect(response).toMatchObject({ ok: false, error: { code: 'NODE_ERR_TASK_STORE_FAILED' } });
      rpc.close();
    } finally {
      await node.stop({ graceMs: 100 });
    }
  });

  it('a node cannot subscribe to another node’s subjects, gateway subjects or all inboxes', async () => {
    const nodeA = await connectAs('node-gpu-1', 'pw-a', '_INBOX_gpu-1');
    for (const subject of [
      'nodes.gpu-2.call',
      'nodes.*.call',
      'gateways.gw-1.notify',
      '_INBOX.>',
      '_INBOX_gpu-2.>',
      '>',
    ]) {
      const sub = nodeA.subscribe(subject);
      const closed = await Promise.race([
        sub.closed,
        new Promise((resolve) => setTimeout(() => resolve('still open'), 2000)),
      ]);
      expect(String(closed), subject).toMatch(/Permissions Violation for Subscription/);
    }
    // Its own subjects and tool queue subscriptions are allowed.
    const own = nodeA.subscribe('nodes.gpu-1.call');
    const tool = nodeA.subscribe('tools.echo', { queue: 'easyremote-nodes' });
    await nodeA.flush();
    expect(own.isClosed() || tool.isClosed()).toBe(false);
  });

  it('a node cannot impersonate a gateway or call tools: publishing cancellations or tool calls is refused', async () => {
    const nodeB = await connectAs('node-gpu-2', 'pw-b', '_INBOX_gpu-2');
    for (const subject of ['calls.cancel', 'gateways.cancel', 'tools.echo', 'nodes.gpu-1.call']) {
      const refused = nextPermissionError(nodeB);
      nodeB.publish(subject, '{}');
      expect(JSON.parse(await refused), subject).toMatchObject({
        error: { name: 'PermissionViolationError', operation: 'publish', subject },
      });
    }
  });

  it('a plaintext client is refused when TLS is required', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(Number(new URL(nats.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('INFO') && !text.includes('CONNECT_SENT')) {
          text += 'CONNECT_SENT';
          socket.write(
            `CONNECT {"user":"gateway","pass":"${GATEWAY_PASSWORD}","verbose":false,"pedantic":false}\r\nPING\r\n`,
          );
        }
      });
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      setTimeout(() => {
        socket.destroy();
        reject(new Error(`server kept a plaintext client: ${text}`));
      }, 5000);
    });
    expect(answer).toContain('"tls_required":true');
    expect(answer).not.toContain('PONG');
  });

  it('a leaf server reaches the hub only over TLS', async () => {
    const hub = await connectAs('gateway', GATEWAY_PASSWORD);
    const leafWith = async (tls: boolean) =>
      startNats({
        path: process.env.PATH,
        jetstream: false,
        config: `leafnodes { remotes = [ { url: "nats-leaf://leaf:${LEAF_PASSWORD}@127.0.0.1:${leafPort}"${tls ? `, tls: { ca_file: ${JSON.stringify(certs.ca)} }` : ''} } ] }`,
      });
    const reaches = async (leaf: NatsServerHandle, subject: string) => {
      const client = await connect({ servers: leaf.url });
      opened.push(client);
      const sub = client.subscribe(subject, { max: 1 });
      await client.flush();
      const deadline = Date.now() + 4000;
      const got = (async () => {
        for await (const message of sub) return message.string();
        return undefined;
      })();
      while (Date.now() < deadline) {
        hub.publish(subject, 'hello edge');
        const value = await Promise.race([got, new Promise((resolve) => setTimeout(() => resolve(undefined), 200))]);
        if (value) return true;
      }
      return false;
    };
    const secure = await leafWith(true);
    const plain = await leafWith(false);
    try {
      expect(await reaches(secure, 'edge.secure')).toBe(true);
      expect(await reaches(plain, 'edge.plain')).toBe(false);
    } finally {
      await Promise.all([secure.stop(), plain.stop()]);
    }
  });
});
