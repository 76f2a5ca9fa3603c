import { describe, expect, it } from 'vitest';
import { joinTaskState, splitChunks, taskChunkKey, type NodeTaskState } from './tasks.js';
import { MESH_PROTOCOL_VERSION } from './version.js';

const TASK = 'T'.repeat(22);

function chunked(whole: NodeTaskState, size: number) {
  const bytes = Buffer.from(JSON.stringify(whole));
  const pieces = splitChunks(bytes, size);
  const store = new Map(pieces.map((piece, index) => [taskChunkKey('gpu-1', TASK, whole.seq, index), piece]));
  const entry: NodeTaskState = { ...whole, response: undefined, chunks: pieces.length, bytes: bytes.length };
  delete entry.response;
  return { entry, store, get: (key: string) => Promise.resolve(store.get(key)) };
}

const whole: NodeTaskState = {
  v: MESH_PROTOCOL_VERSION,
  callId: 'c1',
  node: 'gpu-1',
  seq: 3,
  at: 1,
  response: { ok: true, result: { content: [{ type: 'text', text: 'x'.repeat(300_000) }] } },
};

describe('joinTaskState', () => {
  it('joins a state stored in chunks under the node’s keys', async () => {
    const { entry, get } = chunked(whole, 64 * 1024);
    expect(entry.chunks).toBe(5);
    expect(await joinTaskState(entry, TASK, get)).toEqual(whole);
  });

  it('refuses a missing chunk, a count out of line with the size, and another state’s chunks', async () => {
    const { entry, store, get } = chunked(whole, 64 * 1024);
    store.delete(taskChunkKey('gpu-1', TASK, 3, 2));
    expect(await joinTaskState(entry, TASK, get)).toBeUndefined();
    // A node claiming 10^8 chunks for a few bytes is refused before anything is read.
    let reads = 0;
    const counting = (key: string) => {
      reads++;
      return get(key);
    };
    expect(await joinTaskState({ ...entry, chunks: 100_000_000, bytes: 10 }, TASK, counting)).toBeUndefined();
    expect(reads).toBe(0);
    const other = chunked({ ...whole, callId: 'someone-else' }, 64 * 1024);
    expect(await joinTaskState({ ...entry }, TASK, other.get)).toBeUndefined();
  });

  it('returns an entry without chunks as it is', async () => {
    expect(await joinTaskState(whole, TASK, () => Promise.resolve(undefined))).toBe(whole);
  });
});
