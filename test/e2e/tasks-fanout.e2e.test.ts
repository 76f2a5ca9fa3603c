import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { TaskClient } from '../support/task-client.js';

// A fan-out tool's task across real processes: the replica that created it runs it, its chunks run
// on two nodes as tasks of their own, and another replica takes it over when the first dies or stops.
// The ledger tools record every chunk run (start, end, cancelled) in a file: not idempotent.
const TASK_TOOLS = ['test/fixtures/conformance-task-tools.ts'];

interface Ledger {
  starts: string[];
  ends: string[];
  cancelled: string[];
}

/** What a ledger tool's chunks recorded, each list sorted. */
async function ledgerOf(path: string): Promise<Ledger> {
  const lines = (await readFile(path, 'utf8').catch(() => '')).split('\n');
  const of = (word: string) =>
    lines
      .filter((line) => line.startsWith(`${word} `))
      .map((line) => line.slice(word.length + 1))
      .sort();
  return { starts: of('start'), ends: of('end'), cancelled: of('cancelled') };
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

function doubledOf(task: Record<string, unknown>): number[] {
  const { doubled } = (task.result as { structuredContent: { doubled: number[] } }).structuredContent;
  return [...doubled].sort((a, b) => a - b);
}

describe('a fan-out tool as a task', () => {
  let workDir: string;
  let nats: NatsServerHandle;
  let creator: GatewayProcess;
  let other: GatewayProcess;
  let nodes: AppProcess[];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'fanout-tasks-'));
    nats = await startNats({ path: process.env.PATH });
    [creator, other, ...nodes] = await Promise.all([
      spawnGateway(nats.url),
      spawnGateway(nats.url),
      spawnNode(nats.url, TASK_TOOLS, { EASYREMOTE_NODE_ID: 'fan-a' }),
      spawnNode(nats.url, TASK_TOOLS, { EASYREMOTE_NODE_ID: 'fan-b' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([creator?.kill(), other?.stop(), ...(nodes ?? []).map((node) => node.kill())]);
    await nats?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('runs on the creating replica, its chunks on the nodes, and is read on another replica', async () => {
    const created = await new TaskClient(creator.mcpUrl).callTool('task_fanout_double', {
      items: [1, 2, 3, 4],
      ms: 200,
    });
    expect(created.resultType).toBe('task');
    const done = await new TaskClient(other.mcpUrl).waitForEnd(String(created.taskId));
    expect(done.status).toBe('completed');
    expect((done.result as { structuredContent?: unknown }).structuredContent).toEqual({ doubled: [2, 4, 6, 8] });
  });

  it('is cancelled from another replica, its running chunks stopped on their nodes', async () => {
    const ledger = join(workDir, 'cancelled.ledger');
    const task = await new TaskClient(creator.mcpUrl).callTool('task_fanout_ledger', {
      items: [1, 2, 3],
      ms: 60_000,
      ledger,
    });
    await until('two chunks run', async () => (await ledgerOf(ledger)).starts.length === 2);
    const viaOther = new TaskClient(other.mcpUrl);
    await viaOther.request('tasks/cancel', { taskId: String(task.taskId) });
    expect((await viaOther.waitForEnd(String(task.taskId))).status).toBe('cancelled');
    await until('both chunks stop', async () => (await ledgerOf(ledger)).cancelled.length === 2, 10_000);
    // The third chunk never started.
    expect(await ledgerOf(ledger)).toEqual({ starts: ['1', '2'], ends: [], cancelled: ['1', '2'] });
  });

  it('survives the replica running it: chunks that ended are kept, running ones awaited, the rest run, none twice', async () => {
    const viaCreator = new TaskClient(creator.mcpUrl);
    const viaOther = new TaskClient(other.mcpUrl);
    // Two chunks at a time, each item × 2.5 s: at the kill (two ended, two running) the 10 s chunk
    // still runs when the takeover comes (6 s later), and the last chunk has not begun.
    const items = [1, 2, 3, 4, 1];
    const ledgers = { array: join(workDir, 'array.ledger'), plan: join(workDir, 'plan.ledger') };
    const idempotent = await viaCreator.callTool('task_fanout_sum', { items: [1, 2, 3], ms: 1_500 });
    const array = await viaCreator.callTool('task_fanout_ledger', { items, ms: 2_500, ledger: ledgers.array });
    const plan = await viaCreator.callTool('task_fanout_shuffled', { items, ms: 2_500, ledger: ledgers.plan });
    await until('both fan-outs have ended chunks and running ones', async () => {
      const seen = await Promise.all([ledgerOf(ledgers.array), ledgerOf(ledgers.plan)]);
      return seen.every(({ starts, ends }) => ends.length >= 2 && starts.length > ends.length);
    });
    await creator.kill();
    for (const [task, ledger] of [
      [array, ledgers.array],
      [plan, ledgers.plan],
    ] as const) {
      const done = await viaOther.waitForEnd(String(task.taskId), 60_000);
      expect(done.status).toBe('completed');
      expect(doubledOf(done)).toEqual(items.map((x) => x * 2).sort((a, b) => a - b));
      // Every chunk ran exactly once, though the replica running the fan-out died among them.
      const { starts, ends, cancelled } = await ledgerOf(ledger);
      expect(starts).toEqual(items.map(String).sort());
      expect(ends).toEqual(items.map(String).sort());
      expect(cancelled).toEqual([]);
    }
    const rerun = await viaOther.waitForEnd(String(idempotent.taskId), 60_000);
    expect(rerun.status).toBe('completed');
    expect((rerun.result as { structuredContent?: unknown }).structuredContent).toEqual({ total: 6 });
  }, 120_000);

  it('is handed over by a replica that stops gracefully (a rolling restart), its chunks running on', async () => {
    const leaving = await spawnGateway(nats.url);
    const ledger = join(workDir, 'handover.ledger');
    const items = [1, 2, 3, 4];
    const task = await new TaskClient(leaving.mcpUrl).callTool('task_fanout_ledger', { items, ms: 1_500, ledger });
    await until('two chunks run', async () => (await ledgerOf(ledger)).starts.length === 2);
    await leaving.stop();
    const done = await new TaskClient(other.mcpUrl).waitForEnd(String(task.taskId), 60_000);
    expect(done.status).toBe('completed');
    expect(doubledOf(done)).toEqual([2, 4, 6, 8]);
    expect(await ledgerOf(ledger)).toEqual({ starts: ['1', '2', '3', '4'], ends: ['1', '2', '3', '4'], cancelled: [] });
  }, 90_000);

  it('fails with GW_ERR_TASK_RUNNER_GONE when its arguments were too large to keep for a takeover', async () => {
    const doomed = await spawnGateway(nats.url);
    const ledger = join(workDir, 'large.ledger');
    const task = await new TaskClient(doomed.mcpUrl).callTool('task_fanout_ledger', {
      items: [1, 1],
      ms: 1_000,
      ledger,
      note: 'x'.repeat(300 * 1024),
    });
    await until('the chunks run', async () => (await ledgerOf(ledger)).starts.length === 2);
    await doomed.kill();
    const failed = await new TaskClient(other.mcpUrl).waitForEnd(String(task.taskId), 30_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: -32603, data: { code: 'GW_ERR_TASK_RUNNER_GONE' } });
  }, 60_000);
});
