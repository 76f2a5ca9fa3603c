import { describe, expect, it } from 'vitest';
import { decodeNodeTaskState, joinTaskState, taskChunkKey, taskStateValues, type NodeTaskState } from './tasks.js';

const TASK = 'T'.repeat(22);
const state = (text: string): NodeTaskState => ({
  v: 1,
  callId: 'c1',
  node: 'n1',
  seq: 2,
  at: 1,
  response: { ok: true, result: { content: [{ type: 'text', text }] } },
});

describe('taskStateValues', () => {
  it('stores a state that fits one value as it is', () => {
    const { entry, chunks } = taskStateValues(state('small'), 64 * 1024);
    expect(chunks).toEqual([]);
    expect(JSON.parse(Buffer.from(entry).toString())).toEqual(state('small'));
  });

  it('splits a larger state into chunks that joinTaskState reads back whole', async () => {
    const big = state('x'.repeat(300 * 1024));
    const limit = 100 * 1024;
    const { entry, chunks } = taskStateValues(big, limit);
    expect(chunks.length).toBe(4);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(limit);
    const stored = new Map(chunks.map((chunk, index) => [taskChunkKey('n1', TASK, 2, index), chunk]));
    const named = decodeNodeTaskState(JSON.parse(Buffer.from(entry).toString()));
    expect(named?.chunks).toBe(4);
    expect(await joinTaskState(named!, TASK, (key) => Promise.resolve(stored.get(key)))).toEqual(big);
  });

  it('stores a state over maxBytes as a NODE_ERR_RESULT_TOO_LARGE failure naming both sizes', () => {
    const { entry, chunks } = taskStateValues(state('x'.repeat(5_000)), 64 * 1024, 4_096);
    expect(chunks).toEqual([]);
    const stored = JSON.parse(Buffer.from(entry).toString()) as NodeTaskState;
    expect(stored.response).toMatchObject({ ok: false, error: { code: 'NODE_ERR_RESULT_TOO_LARGE' } });
    expect((stored.response as { error: { message: string } }).error.message).toMatch(
      /is \d+ bytes, over the limit of 4096/,
    );
  });

  it('refuses a limit below the smallest chunk readers accept, with a clear message', () => {
    expect(() => taskStateValues(state('x'.repeat(10_000)), 1_000)).toThrow(/max_payload of at least 65536/);
  });
});
