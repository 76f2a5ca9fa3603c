import type { CallResponse, TaskRef } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import type { CallOutcome } from '../pipeline/call-pipeline.js';
import { openJournal, runJournaled, type ChunkState, type FanoutJournal } from './fanout-journal.js';

const TASK = 'T'.repeat(22);
const CHUNK = 'C'.repeat(22);
const result = (text: string): CallResponse => ({ ok: true, result: { content: [{ type: 'text', text }] } });

/** A journal over an in-memory table of chunk states; an awaited chunk ends with a result. */
function journal(resumed: boolean, states: ChunkState[], options: { mayDispatch?: boolean; kept?: number } = {}) {
  const awaited: { nodeId: string; taskId: string; callId: string }[] = [];
  const begun: unknown[] = [];
  const value: FanoutJournal = {
    taskId: TASK,
    resumed,
    kept: () => Promise.resolve(options.kept === undefined ? undefined : { chunks: options.kept }),
    begin: (header) => {
      begun.push(header);
      return Promise.resolve();
    },
    chunkTaskId: (index) => (index === 0 ? CHUNK : `other-${index}`),
    mayDispatch: () => options.mayDispatch ?? true,
    statesOf: (id) => Promise.resolve(id === CHUNK ? states : []),
    awaitChunk: (chunk) => {
      awaited.push(chunk);
      return Promise.resolve({ kind: 'result', result: { content: [{ type: 'text', text: 'awaited' }] }, ...chunk });
    },
  };
  return { value, awaited, begun };
}

function run(j: FanoutJournal, lookUp = true) {
  const dispatched: TaskRef[] = [];
  const callIds: string[] = [];
  const dispatch = (task: TaskRef): Promise<CallOutcome> => {
    dispatched.push(task);
    return Promise.resolve({ kind: 'task', callId: 'new-call', nodeId: 'fresh', attempts: 2 });
  };
  const outcome = runJournaled(
    j,
    CHUNK,
    { lookUp, signal: new AbortController().signal, timeoutMs: 1_000, onCallId: (id) => callIds.push(id) },
    dispatch,
  );
  return { outcome, dispatched, callIds };
}

describe('runJournaled', () => {
  it('writes the header on a first run, and refuses a takeover whose split changed', async () => {
    const first = journal(false, []);
    expect(await openJournal(first.value, 'tool', { chunks: 3 })).toBeUndefined();
    expect(first.begun).toEqual([{ chunks: 3 }]);
    const same = journal(true, [], { kept: 3 });
    expect(await openJournal(same.value, 'tool', { chunks: 3 })).toBeUndefined();
    expect(same.begun).toEqual([]);
    expect(await openJournal(journal(true, [], { kept: 4 }).value, 'tool', { chunks: 3 })).toMatchObject({
      code: 'GW_ERR_FANOUT_FAILED',
    });
  });

  it('dispatches nothing once this replica may not (it lost its heartbeat)', async () => {
    const { outcome, dispatched } = run(journal(false, [], { mayDispatch: false }).value);
    expect(await outcome).toMatchObject({ kind: 'failed', error: { code: 'GW_ERR_CANCELLED' } });
    expect(dispatched).toEqual([]);
  });

  it('dispatches a chunk as its own task that stores its start, and awaits it through the store', async () => {
    const { value, awaited } = journal(false, [{ nodeId: 'a', callId: 'old', response: result('kept') }]);
    const { outcome, dispatched } = run(value);
    // The attempts the dispatch spent are the chunk's.
    expect(await outcome).toMatchObject({ kind: 'result', nodeId: 'fresh', attempts: 2 });
    // A first run never looks for earlier states.
    expect(dispatched).toEqual([{ id: CHUNK, recordStart: true }]);
    expect(awaited).toEqual([{ nodeId: 'fresh', taskId: CHUNK, callId: 'new-call' }]);
  });

  it('on a takeover, keeps a chunk that ended, even where another attempt failed', async () => {
    const failed: CallResponse = { ok: false, error: { code: 'NODE_ERR_HANDLER_FAILED', message: 'x' } };
    const { value } = journal(true, [
      { nodeId: 'a', callId: 'c-a', response: failed },
      { nodeId: 'b', callId: 'c-b', response: result('kept') },
    ]);
    const { outcome, dispatched, callIds } = run(value);
    // Both nodes ran it: two attempts spent.
    expect(await outcome).toMatchObject({ kind: 'result', nodeId: 'b', callId: 'c-b', attempts: 2 });
    expect(dispatched).toEqual([]);
    expect(callIds).toEqual(['c-b']);
  });

  it('on a takeover, awaits a chunk still running where it runs', async () => {
    const { value, awaited } = journal(true, [
      { nodeId: 'a', callId: 'c-a', response: { ok: true, taskStarted: true } },
    ]);
    const { outcome, dispatched } = run(value);
    expect(await outcome).toMatchObject({ kind: 'result', nodeId: 'a' });
    expect(awaited).toEqual([{ nodeId: 'a', taskId: CHUNK, callId: 'c-a' }]);
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
