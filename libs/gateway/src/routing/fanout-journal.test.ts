import type { CallResponse, TaskRef } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import type { CallOutcome } from '../pipeline/call-pipeline.js';
import { chunkTaskId, runJournaled, type ChunkState, type FanoutJournal } from './fanout-journal.js';

const TASK = 'T'.repeat(22);
const result = (text: string): CallResponse => ({ ok: true, result: { content: [{ type: 'text', text }] } });

/** A journal over an in-memory table of chunk states; an awaited chunk ends with a result. */
function journal(resumed: boolean, states: ChunkState[]) {
  const awaited: { nodeId: string; taskId: string; callId: string }[] = [];
  const value: FanoutJournal = {
    taskId: TASK,
    resumed,
    statesOf: (id) => Promise.resolve(id === chunkTaskId(TASK, 0) ? states : []),
    awaitChunk: (chunk) => {
      awaited.push(chunk);
      return Promise.resolve({ kind: 'result', result: { content: [{ type: 'text', text: 'awaited' }] }, ...chunk });
    },
    savePlan: () => Promise.resolve(),
    plan: () => Promise.resolve(undefined),
  };
  return { value, awaited };
}

function run(j: FanoutJournal, lookUp = true) {
  const dispatched: TaskRef[] = [];
  const callIds: string[] = [];
  const dispatch = (task: TaskRef): Promise<CallOutcome> => {
    dispatched.push(task);
    return Promise.resolve({ kind: 'task', callId: 'new-call', nodeId: 'fresh' });
  };
  const outcome = runJournaled(
    j,
    chunkTaskId(TASK, 0),
    { lookUp, signal: new AbortController().signal, timeoutMs: 1_000, onCallId: (id) => callIds.push(id) },
    dispatch,
  );
  return { outcome, dispatched, callIds };
}

describe('runJournaled', () => {
  it('names chunk tasks after their fan-out task, each a valid task id', () => {
    expect(chunkTaskId(TASK, 3)).toBe(`${TASK}-3`);
    expect(chunkTaskId(TASK, 'whole')).toBe(`${TASK}-w`);
  });

  it('dispatches a chunk as its own task that stores its start, and awaits it through the store', async () => {
    const { value, awaited } = journal(false, [{ nodeId: 'a', callId: 'old', response: result('kept') }]);
    const { outcome, dispatched } = run(value);
    expect(await outcome).toMatchObject({ kind: 'result', nodeId: 'fresh' });
    // A first run never looks for earlier states.
    expect(dispatched).toEqual([{ id: `${TASK}-0`, recordStart: true }]);
    expect(awaited).toEqual([{ nodeId: 'fresh', taskId: `${TASK}-0`, callId: 'new-call' }]);
  });

  it('on a takeover, keeps a chunk that ended, even where another attempt failed', async () => {
    const failed: CallResponse = { ok: false, error: { code: 'NODE_ERR_HANDLER_FAILED', message: 'x' } };
    const { value } = journal(true, [
      { nodeId: 'a', callId: 'c-a', response: failed },
      { nodeId: 'b', callId: 'c-b', response: result('kept') },
    ]);
    const { outcome, dispatched, callIds } = run(value);
    expect(await outcome).toMatchObject({ kind: 'result', nodeId: 'b', callId: 'c-b' });
    expect(dispatched).toEqual([]);
    expect(callIds).toEqual(['c-b']);
  });

  it('on a takeover, awaits a chunk still running where it runs', async () => {
    const { value, awaited } = journal(true, [
      { nodeId: 'a', callId: 'c-a', response: { ok: true, taskStarted: true } },
    ]);
    const { outcome, dispatched } = run(value);
    expect(await outcome).toMatchObject({ kind: 'result', nodeId: 'a' });
    expect(awaited).toEqual([{ nodeId: 'a', taskId: `${TASK}-0`, callId: 'c-a' }]);
    expect(dispatched).toEqual([]);
  });

  it('on a takeover, hands back a failed chunk as its outcome (retried by the fan-out rules), and dispatches a chunk nobody began', async () => {
    const failed: CallResponse = { ok: false, error: { code: 'NODE_ERR_HANDLER_FAILED', message: 'x' } };
    const { value } = journal(true, [{ nodeId: 'a', callId: 'c-a', response: failed }]);
    expect(await run(value).outcome).toMatchObject({ kind: 'failed', nodeId: 'a' });
    // A later attempt of the same chunk dispatches.
    const later = run(value, false);
    await later.outcome;
    expect(later.dispatched).toHaveLength(1);
    const none = run(journal(true, []).value);
    await none.outcome;
    expect(none.dispatched).toHaveLength(1);
  });
});
