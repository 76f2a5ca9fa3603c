import { MESH_PROTOCOL_VERSION, WireErrorCode, type CallResponse } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { taskState } from './task-state.js';
import type { StoredTask, TaskRecord } from './task-store.js';

const record: TaskRecord = {
  v: 1,
  taskId: 'T'.repeat(22),
  owner: 'alice',
  tool: 'render',
  nodeId: 'gpu-1',
  instanceId: 'i-1',
  callId: 'call-1',
  era: '2026-07-28',
  createdAt: 1_000,
  updatedAt: 1_000,
  ttlMs: 60_000,
  pollIntervalMs: 500,
};

function stored(response: CallResponse | undefined, more: Partial<TaskRecord> = {}, seq = 1, at = 2_000): StoredTask {
  return {
    record: { ...record, ...more },
    revision: 1,
    node: { v: MESH_PROTOCOL_VERSION, callId: 'call-1', node: 'gpu-1', seq, at, ...(response ? { response } : {}) },
  };
}

const ask = (message: string) => ({ method: 'elicitation/create' as const, params: { message } });

describe('taskState', () => {
  it('is working until the node says more, and takes the latest update time of the two keys', () => {
    expect(taskState({ record, revision: 1, node: undefined })).toEqual({ status: 'working', lastUpdatedAt: 1_000 });
    expect(taskState(stored(undefined))).toEqual({ status: 'working', lastUpdatedAt: 2_000 });
  });

  it('subtracts input answered for this state of the node, not for an older one', () => {
    const waiting: CallResponse = { ok: true, inputRequired: { a: ask('a'), b: ask('b') } };
    expect(taskState(stored(waiting, { answered: { seq: 2, keys: ['a'] } }, 2)).inputRequests).toEqual({ b: ask('b') });
    expect(taskState(stored(waiting, { answered: { seq: 1, keys: ['a'] } }, 2)).inputRequests).toEqual({
      a: ask('a'),
      b: ask('b'),
    });
    expect(taskState(stored(waiting, { answered: { seq: 2, keys: ['a', 'b'] } }, 2)).status).toBe('working');
  });

  it('ends completed for a result and for the tool’s own failure, failed for a failed request or unfinished work', () => {
    const result = taskState(stored({ ok: true, result: { content: [{ type: 'text', text: 'done' }] } }));
    expect(result).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'done' }] } });
    const toolFailure = taskState(stored({ ok: false, error: { code: 'IMG_ERR_FORMAT', message: 'no' } }));
    expect(toolFailure).toMatchObject({ status: 'completed', result: { isError: true } });
    for (const code of [WireErrorCode.RequestFailed, WireErrorCode.DeadlineExceeded, WireErrorCode.ShuttingDown]) {
      expect(taskState(stored({ ok: false, error: { code, message: 'x' } }))).toMatchObject({
        status: 'failed',
        error: { code: -32603, message: 'x', data: { code } },
      });
    }
  });

  it('lets a gateway verdict win, unless the node had ended the task before the verdict was written', () => {
    const done: CallResponse = { ok: true, result: { content: [] } };
    const cancelledLate = stored(done, { verdict: { status: 'cancelled' }, updatedAt: 3_000 }, 1, 2_500);
    expect(taskState(cancelledLate).status).toBe('completed');
    const cancelledFirst = stored(done, { verdict: { status: 'cancelled' }, updatedAt: 3_000 }, 1, 3_500);
    expect(taskState(cancelledFirst).status).toBe('cancelled');
    // The node's own cancellation, even stamped before the verdict by its clock, is the verdict's doing.
    const aborted = stored(
      { ok: false, error: { code: WireErrorCode.Cancelled, message: 'cancelled' } },
      { verdict: { status: 'cancelled' }, updatedAt: 3_000 },
      1,
      2_000,
    );
    expect(taskState(aborted).status).toBe('cancelled');
    const waiting = stored(
      { ok: true, inputRequired: { a: ask('a') } },
      { verdict: { status: 'cancelled' }, updatedAt: 3_000 },
    );
    expect(taskState(waiting).status).toBe('cancelled');
  });
});
