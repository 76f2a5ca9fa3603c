/**
 * Durable tasks (issue 16): what creating a task costs over a plain call of the same tool, many
 * tasks open at once on one gateway and one node, and the creating gateway killed under running
 * tasks. The client is a raw 2026-07-28 client of the Tasks extension (no SDK implements it).
 */
import { CLI, spawnChild, stopAll, type Child } from '../lib/child.ts';
import { summarize, type LatencySummary } from '../lib/stats.ts';
import { startGatewayProcess, waitForTool, type GatewayProcess } from './systems.ts';

const TASK_TOOLS = 'bench/servers/task-tools.ts';
const TASKS = 'io.modelcontextprotocol/tasks';

export interface TasksResult {
  creation: { samples: number; plain: LatencySummary; task: LatencySummary; addedP50Ms: number };
  open: {
    tasks: number;
    created: number;
    completed: number;
    lost: number;
    /** How the tasks that did not complete were last seen (status or error), by count. */
    notCompleted: Record<string, number>;
    createSec: number;
    gatewayRssIdleBytes: number;
    gatewayRssOpenBytes: number;
    nodeRssIdleBytes: number;
    nodeRssOpenBytes: number;
    perOpenTaskBytes: number;
  };
  failover: {
    tasks: number;
    created: number;
    completedViaOther: number;
    notCompleted: Record<string, number>;
    allDoneAfterKillMs: number;
  };
}

interface Caller {
  url: string;
  auth: Readonly<Record<string, string>>;
  declare: boolean;
}

let nextId = 0;

async function rpc(caller: Caller, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const name = typeof params.taskId === 'string' ? params.taskId : typeof params.name === 'string' ? params.name : '';
  const response = await fetch(caller.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(name ? { 'mcp-name': name } : {}),
      ...caller.auth,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: ++nextId,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'bench-tasks', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': caller.declare ? { extensions: { [TASKS]: {} } } : {},
        },
      },
    }),
  });
  const body = (await response.json()) as { result?: Record<string, unknown>; error?: { message: string } };
  if (body.result === undefined) throw new Error(`${method}: ${body.error?.message ?? 'no result'}`);
  return body.result;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** Runs `count` actions with at most `parallel` at once. */
async function inPool<T>(count: number, parallel: number, action: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await action(index);
      }
    }),
  );
  return results;
}

/** Polls every task until it ends (or `timeoutMs` passes); returns how many completed, and how the rest ended. */
async function awaitAll(
  caller: Caller,
  ids: readonly string[],
  timeoutMs: number,
): Promise<{ completed: number; others: Record<string, number> }> {
  const pending = new Set(ids);
  const last = new Map<string, string>();
  let completed = 0;
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    const round = [...pending];
    await inPool(round.length, 64, async (index) => {
      const id = round[index]!;
      const task = await rpc(caller, 'tasks/get', { taskId: id }).catch((error: unknown) => {
        last.set(id, `error: ${(error as Error).message.slice(0, 80)}`);
        return undefined;
      });
      if (task === undefined) return;
      last.set(id, String(task.status));
      if (task.status === 'working' || task.status === 'input_required') return;
      pending.delete(id);
      if (task.status === 'completed') completed++;
    });
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const others: Record<string, number> = {};
  for (const [id, status] of last)
    if (status !== 'completed' || pending.has(id)) others[status] = (others[status] ?? 0) + 1;
  return { completed, others };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function creationCost(gateway: GatewayProcess, samples: number): Promise<TasksResult['creation']> {
  const plain: Caller = { url: gateway.url, auth: gateway.auth, declare: false };
  const tasks: Caller = { ...plain, declare: true };
  const args = { name: 'bench_task_echo', arguments: { text: 'hello' } };
  for (let i = 0; i < 50; i++) await Promise.all([rpc(plain, 'tools/call', args), rpc(tasks, 'tools/call', args)]);
  const plainMs: number[] = [];
  const taskMs: number[] = [];
  // Interleaved, one at a time: the two see the same machine.
  for (let i = 0; i < samples; i++) {
    plainMs.push(await timed(() => rpc(plain, 'tools/call', args)));
    taskMs.push(
      await timed(async () => {
        const created = await rpc(tasks, 'tools/call', args);
        if (created.resultType !== 'task') throw new Error('the task tool did not answer with a task');
      }),
    );
  }
  const p = summarize(Float64Array.from(plainMs).sort());
  const t = summarize(Float64Array.from(taskMs).sort());
  return { samples, plain: p, task: t, addedP50Ms: t.p50 - p.p50 };
}

async function manyOpen(natsUrl: string, count: number): Promise<TasksResult['open']> {
  const children: Child[] = [];
  try {
    const node = spawnChild('task node (open tasks)', [CLI, 'node', TASK_TOOLS], {
      env: {
        NATS_URL: natsUrl,
        LOG_LEVEL: 'info',
        EASYREMOTE_NODE_ID: 'bench-tasks-open',
        EASYREMOTE_MAX_CONCURRENCY: String(count + 100),
      },
    });
    children.push(node);
    await node.waitFor('node serving');
    const gateway = await startGatewayProcess(natsUrl);
    children.push(gateway.child);
    await waitForTool(gateway.url, 'bench_task_sleep', gateway.auth);
    const caller: Caller = { url: gateway.url, auth: gateway.auth, declare: true };
    await sleep(1_000);
    const gatewayRssIdleBytes = gateway.child.rss();
    const nodeRssIdleBytes = node.rss();
    // Every task sleeps until well after the last one was created, so all are open at once.
    const holdMs = Math.max(20_000, count * 3);
    const started = performance.now();
    const ids = await inPool(count, 64, async (index) => {
      const created = await rpc(caller, 'tools/call', {
        name: 'bench_task_sleep',
        arguments: { ms: holdMs, label: `t${index}` },
      }).catch(() => undefined);
      return typeof created?.taskId === 'string' ? created.taskId : undefined;
    });
    const createSec = (performance.now() - started) / 1000;
    const createdIds = ids.filter((id): id is string => id !== undefined);
    await sleep(1_000);
    const gatewayRssOpenBytes = gateway.child.rss();
    const nodeRssOpenBytes = node.rss();
    const { completed, others } = await awaitAll(caller, createdIds, holdMs + 60_000);
    return {
      tasks: count,
      created: createdIds.length,
      completed,
      lost: count - completed,
      notCompleted: others,
      createSec,
      gatewayRssIdleBytes,
      gatewayRssOpenBytes,
      nodeRssIdleBytes,
      nodeRssOpenBytes,
      perOpenTaskBytes:
        (gatewayRssOpenBytes - gatewayRssIdleBytes + (nodeRssOpenBytes - nodeRssIdleBytes)) / Math.max(1, count),
    };
  } finally {
    await stopAll(children);
  }
}

async function failover(natsUrl: string, count: number): Promise<TasksResult['failover']> {
  const children: Child[] = [];
  try {
    const node = spawnChild('task node (failover)', [CLI, 'node', TASK_TOOLS], {
      // A running task holds one of its node's concurrency slots, as any running call does.
      env: {
        NATS_URL: natsUrl,
        LOG_LEVEL: 'info',
        EASYREMOTE_NODE_ID: 'bench-tasks-failover',
        EASYREMOTE_MAX_CONCURRENCY: String(count + 100),
      },
    });
    children.push(node);
    await node.waitFor('node serving');
    const [creator, other] = await Promise.all([startGatewayProcess(natsUrl), startGatewayProcess(natsUrl)]);
    children.push(creator.child, other.child);
    await Promise.all([
      waitForTool(creator.url, 'bench_task_sleep', creator.auth),
      waitForTool(other.url, 'bench_task_sleep', other.auth),
    ]);
    const viaCreator: Caller = { url: creator.url, auth: creator.auth, declare: true };
    // Keys are shared by every replica (the key bucket), so the other replica accepts the same one.
    const viaOther: Caller = { url: other.url, auth: creator.auth, declare: true };
    const ids = await inPool(count, 32, async (index) => {
      const created = await rpc(viaCreator, 'tools/call', {
        name: 'bench_task_sleep',
        arguments: { ms: 3_000, label: `f${index}` },
      });
      if (typeof created.taskId !== 'string') throw new Error(`not a task: ${JSON.stringify(created).slice(0, 200)}`);
      return created.taskId;
    });
    creator.child.process.kill('SIGKILL');
    const killedAt = performance.now();
    const { completed, others } = await awaitAll(viaOther, ids, 30_000);
    return {
      tasks: count,
      created: ids.length,
      completedViaOther: completed,
      notCompleted: others,
      allDoneAfterKillMs: performance.now() - killedAt,
    };
  } finally {
    await stopAll(children);
  }
}

export async function runTasks(
  natsUrl: string,
  options: { samples: number; open: number; failover: number },
): Promise<TasksResult> {
  const children: Child[] = [];
  let creation: TasksResult['creation'];
  try {
    const node = spawnChild('task node', [CLI, 'node', TASK_TOOLS], {
      env: { NATS_URL: natsUrl, LOG_LEVEL: 'info', EASYREMOTE_NODE_ID: 'bench-tasks' },
    });
    children.push(node);
    await node.waitFor('node serving');
    const gateway = await startGatewayProcess(natsUrl);
    children.push(gateway.child);
    await waitForTool(gateway.url, 'bench_task_echo', gateway.auth);
    creation = await creationCost(gateway, options.samples);
  } finally {
    await stopAll(children);
  }
  return {
    creation,
    open: await manyOpen(natsUrl, options.open),
    failover: await failover(natsUrl, options.failover),
  };
}
