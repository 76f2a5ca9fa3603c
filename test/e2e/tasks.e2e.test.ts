import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { createKey } from '../support/security-helpers.js';
import { JsonRpcFailure, TaskClient } from '../support/task-client.js';

// Durable tasks (2026-07-28 Tasks extension) across real processes: two gateway replicas and a
// compute node behind one nats-server, driven by a raw 2026 client (no SDK implements the extension).
const TASK_TOOLS = ['test/fixtures/conformance-task-tools.ts'];
const HEARTBEAT_MS = 500;

function textOf(task: Record<string, unknown>): string {
  const result = task.result as { content?: { text?: string }[] } | undefined;
  return result?.content?.[0]?.text ?? '';
}

describe('tasks across gateway replicas', () => {
  let nats: NatsServerHandle;
  let creator: GatewayProcess;
  let survivor: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [creator, survivor, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnGateway(nats.url),
      // 100 tasks run at once below: each holds one of the node's concurrency slots.
      spawnNode(nats.url, TASK_TOOLS, { EASYREMOTE_NODE_ID: 'task-node', EASYREMOTE_MAX_CONCURRENCY: '300' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([creator?.kill(), survivor?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('answers the input a task asks for on another replica than the one that created it', async () => {
    const viaCreator = new TaskClient(creator.mcpUrl);
    const viaSurvivor = new TaskClient(survivor.mcpUrl);
    const created = await viaCreator.callTool('confirm_delete', { filename: 'report.txt' });
    expect(created.resultType).toBe('task');
    const taskId = String(created.taskId);
    const waiting = await viaSurvivor.waitFor(taskId, 'input_required');
    const keys = Object.keys(waiting.inputRequests as Record<string, unknown>);
    expect(keys).toHaveLength(1);
    const ack = await viaSurvivor.request('tasks/update', {
      taskId,
      inputResponses: { [keys[0]!]: { action: 'accept', content: { confirm: true } } },
    });
    expect(ack.resultType).toBe('complete');
    expect(Object.keys(ack).filter((key) => key !== '_meta')).toEqual(['resultType']);
    const done = await viaCreator.waitForEnd(taskId);
    expect(done.status).toBe('completed');
    expect(textOf(done)).toBe('deleted report.txt');
  });

  it('cancels a running task from another replica, and the cancellation sticks', async () => {
    const viaCreator = new TaskClient(creator.mcpUrl);
    const viaSurvivor = new TaskClient(survivor.mcpUrl);
    const created = await viaCreator.callTool('slow_compute', { seconds: 60, label: 'to-cancel' });
    const taskId = String(created.taskId);
    expect((await viaSurvivor.request('tasks/cancel', { taskId })).resultType).toBe('complete');
    const ended = await viaCreator.waitForEnd(taskId);
    expect(ended.status).toBe('cancelled');
    // The node's own "cancelled" answer arrives after the verdict and does not turn it into a failure.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await viaSurvivor.getTask(taskId)).status).toBe('cancelled');
  });

  it('reports a task on a subscriptions/listen stream of another replica until it ends', async () => {
    const created = await new TaskClient(creator.mcpUrl).callTool('slow_compute', { seconds: 0.5, label: 'listen' });
    const taskId = String(created.taskId);
    const controller = new AbortController();
    const response = await fetch(survivor.mcpUrl, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'listen-1',
        method: 'subscriptions/listen',
        params: {
          notifications: { taskIds: [taskId, 'A'.repeat(22)] },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
          },
        },
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const messages: Array<{ method?: string; params?: Record<string, unknown> }> = [];
    const decoder = new TextDecoder();
    let buffered = '';
    const reader = response.body!.getReader();
    const ended = (): boolean =>
      messages.some((m) => m.method === 'notifications/tasks' && m.params?.status === 'completed');
    const deadline = Date.now() + 10_000;
    while (!ended() && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      for (let cut = buffered.indexOf('\n\n'); cut >= 0; cut = buffered.indexOf('\n\n')) {
        const data = buffered
          .slice(0, cut)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('');
        buffered = buffered.slice(cut + 2);
        if (data) messages.push(JSON.parse(data) as (typeof messages)[number]);
      }
    }
    controller.abort();
    // The acknowledgement agrees to report on the caller's task only, not on an id it does not own.
    expect(messages[0]).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { taskIds: [taskId] } },
    });
    const updates = messages.filter((m) => m.method === 'notifications/tasks');
    expect(updates[0]?.params).toMatchObject({ taskId, status: 'working' });
    expect(updates.at(-1)?.params).toMatchObject({
      taskId,
      status: 'completed',
      result: { content: [{ type: 'text', text: 'computed listen in 0.5 s' }] },
      _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' },
    });
  });

  it('keeps a result larger than one NATS message, in chunks under the node’s own keys', async () => {
    const bytes = 3 * 1024 * 1024 + 17;
    const created = await new TaskClient(creator.mcpUrl).callTool('task_big_result', { bytes });
    const done = await new TaskClient(survivor.mcpUrl).waitForEnd(String(created.taskId));
    expect(done.status).toBe('completed');
    expect(textOf(done)).toHaveLength(bytes);
    expect(textOf(done)).toMatch(/^x+$/);
  });

  it('keeps every task when the replica that created them is killed', async () => {
    const viaCreator = new TaskClient(creator.mcpUrl);
    const viaSurvivor = new TaskClient(survivor.mcpUrl);
    const count = 100;
    const created = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        viaCreator.callTool('slow_compute', { seconds: 1.5, label: `job-${index}` }),
      ),
    );
    const ids = created.map((task) => String(task.taskId));
    expect(new Set(ids).size).toBe(count);
    // Strongly consistent: another replica reads a task the moment its creation was answered.
    expect((await viaSurvivor.getTask(ids[0]!)).taskId).toBe(ids[0]);
    await creator.kill();
    const ended = await Promise.all(ids.map((id) => viaSurvivor.waitForEnd(id, 20_000)));
    expect(ended.map((task) => task.status)).toEqual(Array(count).fill('completed'));
    expect(ended.map(textOf)).toEqual(ids.map((_, index) => `computed job-${index} in 1.5 s`));
  });
});

describe('a task whose node dies', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url);
  });

  afterAll(async () => {
    await gateway?.stop();
    await nats?.stop();
  });

  it('fails with a clear error within the liveness window', async () => {
    const node = await spawnNode(nats.url, TASK_TOOLS, {
      EASYREMOTE_NODE_ID: 'doomed',
      EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    const client = new TaskClient(gateway.mcpUrl);
    const created = await client.callTool('slow_compute', { seconds: 60, label: 'orphan' });
    const taskId = String(created.taskId);
    expect((await client.getTask(taskId)).status).toBe('working');
    await node.kill();
    const failed = await client.waitForEnd(taskId, 3 * HEARTBEAT_MS + 5_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({
      code: -32603,
      message: 'node doomed left the mesh while running the task',
      data: { code: 'GW_ERR_NODE_GONE' },
    });
  });

  it('lets a node that stops gracefully finish its task instead of failing it', async () => {
    const node = await spawnNode(nats.url, TASK_TOOLS, {
      EASYREMOTE_NODE_ID: 'leaving',
      EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    const client = new TaskClient(gateway.mcpUrl);
    const created = await client.callTool('slow_compute', { seconds: 2, label: 'last job' });
    const stopped = node.stop();
    // Read while the node drains: it left the registry at once, yet the task is not failed.
    const done = await client.waitForEnd(String(created.taskId), 15_000);
    expect(done.status).toBe('completed');
    expect(textOf(done)).toBe('computed last job in 2 s');
    expect(await stopped).toBe(0);
  });

  it('runs a task of an idempotent tool again on another node when its node dies', async () => {
    const first = await spawnNode(nats.url, TASK_TOOLS, {
      EASYREMOTE_NODE_ID: 'first',
      EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    const client = new TaskClient(gateway.mcpUrl);
    const created = await client.callTool('task_idempotent_sleep', { ms: 1_500, label: 'job' });
    const second = await spawnNode(nats.url, TASK_TOOLS, {
      EASYREMOTE_NODE_ID: 'second',
      EASYREMOTE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    try {
      await first.kill();
      const done = await client.waitForEnd(String(created.taskId), 3 * HEARTBEAT_MS + 10_000);
      expect(done.status).toBe('completed');
      expect(textOf(done)).toBe('job on second');
      // Read again (as another replica would): the record names the new node, nothing runs it a third time.
      expect(textOf(await client.getTask(String(created.taskId)))).toBe('job on second');
    } finally {
      await second.stop();
    }
  });
});

describe('who may see a task', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let alice: TaskClient;
  let aliceKey: string;
  let mallory: TaskClient;
  let malloryKey: string;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url, { EASYREMOTE_AUTH: 'on' }),
      spawnNode(nats.url, TASK_TOOLS, { EASYREMOTE_NODE_ID: 'owned' }),
    ]);
    const [a, m] = await Promise.all([
      createKey(nats.url, 'alice', ['tools:list', 'tools:call']),
      createKey(nats.url, 'mallory', ['tools:list', 'tools:call']),
    ]);
    aliceKey = a.key;
    alice = new TaskClient(gateway.mcpUrl, { token: a.key });
    malloryKey = m.key;
    mallory = new TaskClient(gateway.mcpUrl, { token: m.key });
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  async function failureOf(action: Promise<unknown>): Promise<JsonRpcFailure> {
    const error = await action.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(JsonRpcFailure);
    return error as JsonRpcFailure;
  }

  it("answers another credential's task id exactly as an unknown one", async () => {
    const created = await alice.callTool('slow_compute', { seconds: 60, label: 'private' });
    const taskId = String(created.taskId);
    expect(taskId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const foreign = await failureOf(mallory.getTask(taskId));
    const unknown = await failureOf(mallory.getTask('A'.repeat(22)));
    expect(foreign.code).toBe(-32602);
    expect(foreign.message.replace(taskId, 'ID')).toBe(unknown.message.replace('A'.repeat(22), 'ID'));
    for (const method of ['tasks/cancel', 'tasks/update'])
      expect((await failureOf(mallory.request(method, { taskId, inputResponses: {} }))).code).toBe(-32602);
    // Mallory's cancel changed nothing; Alice still sees her task running and can cancel it.
    expect((await alice.getTask(taskId)).status).toBe('working');
    await alice.request('tasks/cancel', { taskId });
    expect((await alice.waitForEnd(taskId)).status).toBe('cancelled');
  });

  it('REST: Prefer: respond-async answers 202 with the task, which GET reads and DELETE cancels, for its owner only', async () => {
    const post = (tool: string, args: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/mcp/tools/${tool}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${aliceKey}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(args),
      });
    const accepted = await post('slow_compute', { seconds: 0.3, label: 'rest' }, { prefer: 'wait=5, respond-async' });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('preference-applied')).toBe('respond-async');
    const location = accepted.headers.get('location')!;
    const created = (await accepted.json()) as Record<string, unknown>;
    expect(location).toBe(`/mcp/tasks/${String(created.taskId)}`);
    expect(created).toMatchObject({ tool: 'slow_compute', status: 'working', ttlMs: 3_600_000 });
    const read = async (key: string, method = 'GET') =>
      fetch(`${gateway.url}${location}`, { method, headers: { authorization: `Bearer ${key}` } });
    let view: Record<string, unknown> = created;
    for (let i = 0; i < 50 && view.status === 'working'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = (await (await read(aliceKey)).json()) as Record<string, unknown>;
    }
    expect(view).toMatchObject({ status: 'completed', result: 'computed rest in 0.3 s', node: 'owned' });
    expect((await read(malloryKey)).status).toBe(404);
    expect((await read(malloryKey, 'DELETE')).status).toBe(404);

    const long = (await (
      await post('slow_compute', { seconds: 60, label: 'rest-cancel' }, { prefer: 'respond-async' })
    ).json()) as { taskId: string };
    const cancelled = await fetch(`${gateway.url}/mcp/tasks/${long.taskId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ taskId: long.taskId, status: 'cancelled' });

    // Without the preference the call is answered as before; a tool that requires a task says how to call it.
    const sync = await post('slow_compute', { seconds: 0, label: 'sync' });
    expect([sync.status, await sync.json()]).toEqual([200, { result: 'computed sync in 0 s', node: 'owned' }]);
    const required = await post('failing_job', {});
    expect(required.status).toBe(400);
    expect(((await required.json()) as { error: { message: string } }).error.message).toMatch(/Prefer: respond-async/);
  });

  it('refuses a client that does not declare tasks: -32021 for tasks/* and for a tool that requires one', async () => {
    const created = await alice.callTool('slow_compute', { seconds: 0, label: 'x' });
    const undeclared = new TaskClient(gateway.mcpUrl, { token: aliceKey, declareTasks: false });
    const gated = await failureOf(undeclared.request('tasks/get', { taskId: String(created.taskId) }));
    expect([gated.code, gated.status]).toEqual([-32021, 400]);
    expect(gated.data).toEqual({ requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } });
    expect((await failureOf(undeclared.callTool('failing_job'))).code).toBe(-32021);
    // A tool that only supports tasks runs as a plain call for this client.
    const plain = await undeclared.callTool('slow_compute', { seconds: 0, label: 'sync' });
    expect(plain.resultType).toBe('complete');
    expect(plain.taskId).toBeUndefined();
    expect(plain.content).toEqual([{ type: 'text', text: 'computed sync in 0 s' }]);
  });
});

describe('2025-11-25 experimental tasks, driven by the v1 SDK client', () => {
  let nats: NatsServerHandle;
  let creator: GatewayProcess;
  let other: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [creator, other, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnGateway(nats.url),
      spawnNode(nats.url, TASK_TOOLS, { EASYREMOTE_NODE_ID: 'legacy-node' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([creator?.stop(), other?.stop(), node?.stop()]);
    await nats?.stop();
  });

  async function v1Client(url: string, onElicit?: () => Record<string, unknown>): Promise<ClientV1> {
    const client = new ClientV1({ name: 'sdk-v1-tasks', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    if (onElicit) client.setRequestHandler(ElicitRequestSchema, () => onElicit() as never);
    await client.connect(new HttpTransportV1(new URL(url)));
    return client;
  }

  async function messagesOf(stream: AsyncIterable<{ type: string }>): Promise<{ type: string }[]> {
    const seen: { type: string }[] = [];
    for await (const message of stream) seen.push(message);
    return seen;
  }

  it('advertises tasks, lists taskSupport, and callToolStream creates, polls and reads a task', async () => {
    const client = await v1Client(creator.mcpUrl);
    try {
      expect(client.getServerCapabilities()?.tasks).toEqual({
        list: {},
        cancel: {},
        requests: { tools: { call: {} } },
      });
      const tools = (await client.listTools()).tools;
      expect(tools.find((tool) => tool.name === 'slow_compute')?.execution).toEqual({ taskSupport: 'optional' });
      expect(tools.find((tool) => tool.name === 'greet')?.execution).toBeUndefined();
      const messages = await messagesOf(
        client.experimental.tasks.callToolStream({ name: 'slow_compute', arguments: { seconds: 0.3, label: 'v1' } }),
      );
      expect(messages[0]).toMatchObject({ type: 'taskCreated', task: { status: 'working', ttl: 3_600_000 } });
      const last = messages.at(-1) as { type: string; result?: Record<string, unknown> };
      expect(last.type).toBe('result');
      expect(last.result?.content).toEqual([{ type: 'text', text: 'computed v1 in 0.3 s' }]);
      const taskId = (messages[0] as unknown as { task: { taskId: string } }).task.taskId;
      expect((last.result?._meta as Record<string, unknown>)['io.modelcontextprotocol/related-task']).toEqual({
        taskId,
      });
      // The task is the caller's: listed, readable, and no longer cancellable once completed.
      const listed = await client.experimental.tasks.listTasks();
      expect(listed.tasks.map((task) => task.taskId)).toContain(taskId);
      expect((await client.experimental.tasks.getTask(taskId)).status).toBe('completed');
      await expect(client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/terminal status 'completed'/);
    } finally {
      await client.close();
    }
  });

  it('relays a task’s elicitation on tasks/result, from another replica than the creator', async () => {
    const asker = await v1Client(creator.mcpUrl);
    const answerer = await v1Client(other.mcpUrl, () => ({ action: 'accept', content: { confirm: true } }));
    try {
      await asker.listTools();
      const created = await asker.request(
        { method: 'tools/call', params: { name: 'confirm_delete', arguments: { filename: 'v1.txt' }, task: {} } },
        CreateTaskResultSchema,
      );
      const taskId = created.task.taskId;
      // input_required, then tasks/result on the other replica relays the request and ends with the result.
      let status = created.task.status;
      for (let i = 0; i < 50 && status !== 'input_required'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await answerer.experimental.tasks.getTask(taskId)).status;
      }
      expect(status).toBe('input_required');
      const result = await answerer.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      expect(result.content).toEqual([{ type: 'text', text: 'deleted v1.txt' }]);
      expect((await asker.experimental.tasks.getTask(taskId)).status).toBe('completed');
    } finally {
      await Promise.all([asker.close(), answerer.close()]);
    }
  });

  it('refuses a call without task augmentation to a tool that requires it (-32601), and cancels a running task', async () => {
    const client = await v1Client(creator.mcpUrl);
    try {
      const refused = await client
        .request({ method: 'tools/call', params: { name: 'failing_job', arguments: {} } }, CallToolResultSchema)
        .then(
          () => undefined,
          (error: unknown) => error as { code?: number; message?: string },
        );
      expect(refused?.code).toBe(-32601);
      expect(refused?.message).toMatch(/requires task augmentation/);
      const created = await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 60, label: 'c' }, task: {} } },
        CreateTaskResultSchema,
      );
      const cancelled = await client.experimental.tasks.cancelTask(created.task.taskId);
      expect(cancelled.status).toBe('cancelled');
      expect((await client.experimental.tasks.getTask(created.task.taskId)).status).toBe('cancelled');
    } finally {
      await client.close();
    }
  });
});

describe('a gateway with EASYREMOTE_TASKS=off', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url, { EASYREMOTE_TASKS: 'off' }),
      spawnNode(nats.url, TASK_TOOLS, { EASYREMOTE_NODE_ID: 'off-node' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('offers no tasks in either era, answers optional tools at once, and refuses required ones', async () => {
    const modern = new TaskClient(gateway.mcpUrl);
    const discovered = await modern.request('server/discover', {});
    expect((discovered.capabilities as Record<string, unknown>).extensions).toBeUndefined();
    const plain = await modern.callTool('slow_compute', { seconds: 0, label: 'off' });
    expect(plain.resultType).toBe('complete');
    expect(plain.taskId).toBeUndefined();
    expect((await modern.callTool('failing_job').catch((error: unknown) => error)) as JsonRpcFailure).toMatchObject({
      code: -32600,
    });

    const client = new ClientV1({ name: 'sdk-v1-off', version: '1.0.0' });
    await client.connect(new HttpTransportV1(new URL(gateway.mcpUrl)));
    try {
      expect(client.getServerCapabilities()?.tasks).toBeUndefined();
      const tools = (await client.listTools()).tools;
      expect(tools.find((tool) => tool.name === 'slow_compute')?.execution).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
