import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { encodeJson } from './codec.js';
import { CallResponse } from './envelope.js';
import { WireErrorCode } from './errors.js';
import { isValidTaskId } from './task-ref.js';
import { isValidNodeId } from './tool-name.js';

/**
 * The JetStream KV bucket of durable tasks (ADR 0024). Two kinds of keys, so NATS permissions can
 * tell the writers apart: `t.<taskId>` is the gateways' record (owner, tool, node, cancellation,
 * answered input), `n.<nodeId>.<taskId>` the node's (each outcome of the task's handler), which a
 * node user may write for its own node id only (nats/secure).
 */
export const TASKS_BUCKET = 'easyremote-tasks';

/** The gateways' record of a task. */
export function taskRecordKey(taskId: string): string {
  if (!isValidTaskId(taskId)) throw new TypeError(`invalid task id ${JSON.stringify(taskId)}`);
  return `t.${taskId}`;
}

/** The node's state of a task it runs. */
export function nodeTaskKey(nodeId: string, taskId: string): string {
  if (!isValidNodeId(nodeId)) throw new TypeError(`invalid node id ${JSON.stringify(nodeId)}`);
  if (!isValidTaskId(taskId)) throw new TypeError(`invalid task id ${JSON.stringify(taskId)}`);
  return `n.${nodeId}.${taskId}`;
}

/** The largest date JavaScript can hold. */
const MAX_EPOCH_MS = 8.64e15;
/** The largest task state a reader joins (a node's payload limit is 64 MiB by default), and its chunks. */
export const MAX_STATE_BYTES = 256 * 1024 * 1024;
const MIN_CHUNK_BYTES = 64 * 1024;
const MAX_STATE_CHUNKS = Math.ceil(MAX_STATE_BYTES / MIN_CHUNK_BYTES);

/**
 * What a node writes under `n.<nodeId>.<taskId>` each time the task's handler reaches a new state:
 * `response` absent while it works (after its input was answered), an `inputRequired` response while
 * it waits for the client, a result or a failure at the end. `seq` grows by one per write, so a
 * reader can tell which of this record and the gateways' answered-input bookkeeping is newer.
 */
export const NodeTaskState = Type.Object({
  v: Type.Integer({ minimum: 1 }),
  callId: Type.String({ minLength: 1, maxLength: 256 }),
  node: Type.String({ minLength: 1 }),
  seq: Type.Integer({ minimum: 1 }),
  /** Epoch milliseconds of the write (bounded: a node's value reaches every reader's Date). */
  at: Type.Number({ minimum: 0, maximum: MAX_EPOCH_MS }),
  response: Type.Optional(CallResponse),
  /**
   * A state too large for one KV value (one NATS message): its JSON, `bytes` long, is stored in
   * `chunks` values under `taskChunkKey(...)`, and this entry carries no `response`.
   */
  chunks: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_STATE_CHUNKS })),
  bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_STATE_BYTES })),
});
export type NodeTaskState = Static<typeof NodeTaskState>;

/**
 * Chunk `index` of state `seq` of a task whose state did not fit one KV value: under the node's own
 * prefix, so the same NATS permission covers it, and per state, so a newer state never mixes with
 * an older one's chunks.
 */
export function taskChunkKey(nodeId: string, taskId: string, seq: number, index: number): string {
  return `${nodeTaskKey(nodeId, taskId)}.c${seq}.${index}`;
}

/** Splits `bytes` into pieces of at most `size` bytes. */
export function splitChunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

/**
 * The KV values a task state is stored as, for values of at most `limit` bytes (a NATS message
 * less headroom): the state itself when it fits, else its JSON in `chunks` (stored first, under
 * `taskChunkKey`) and an `entry` naming them, which joinTaskState reads back. A state over
 * `maxBytes` is stored as a `RESULT_TOO_LARGE` failure instead: the task ends with the reason
 * rather than staying `working` (reported, not lost silently).
 */
export function taskStateValues(
  state: NodeTaskState,
  limit: number,
  maxBytes = MAX_STATE_BYTES,
): { entry: Uint8Array; chunks: Uint8Array[] } {
  let body = encodeJson(state);
  if (body.length > maxBytes) {
    const message = `the task's result is ${body.length} bytes, over the limit of ${maxBytes}`;
    body = encodeJson({ ...state, response: { ok: false, error: { code: WireErrorCode.ResultTooLarge, message } } });
  }
  if (body.length <= limit) return { entry: body, chunks: [] };
  // Readers refuse chunks smaller than this (a count out of line with the size): say so here instead.
  if (limit < MIN_CHUNK_BYTES)
    throw new RangeError(
      `a task state of ${body.length} bytes needs NATS max_payload of at least ${MIN_CHUNK_BYTES} bytes`,
    );
  const chunks = splitChunks(body, limit);
  const { v, callId, node, seq, at } = state;
  return { entry: encodeJson({ v, callId, node, seq, at, chunks: chunks.length, bytes: body.length }), chunks };
}

export const decodeNodeTaskState = (() => {
  const validator = Compile(NodeTaskState);
  return (value: unknown): NodeTaskState | undefined => (validator.Check(value) ? value : undefined);
})();

/**
 * The whole state a chunked entry stands for, read with `get` (a KV get of one key's bytes);
 * undefined when a chunk is missing or the joined state is not this one's (another call, node or
 * seq). An entry without chunks is returned as it is.
 */
export async function joinTaskState(
  state: NodeTaskState,
  taskId: string,
  get: (key: string) => Promise<Uint8Array | undefined>,
): Promise<NodeTaskState | undefined> {
  if (state.chunks === undefined) return state;
  // Chunks are at least MIN_CHUNK_BYTES but the last: a count out of line with the size is refused
  // before anything is read. Read a few at a time, so a reader never holds many requests open.
  if (state.bytes === undefined || state.chunks > Math.ceil(state.bytes / MIN_CHUNK_BYTES)) return undefined;
  const pieces: Uint8Array[] = [];
  for (let index = 0; index < state.chunks; index += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, state.chunks - index) }, (_, offset) =>
        get(taskChunkKey(state.node, taskId, state.seq, index + offset)),
      ),
    );
    for (const piece of batch) {
      if (piece === undefined) return undefined;
      pieces.push(piece);
    }
  }
  const bytes = Buffer.concat(pieces);
  if (bytes.length !== state.bytes) return undefined;
  let whole: unknown;
  try {
    whole = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const joined = decodeNodeTaskState(whole);
  if (joined === undefined || joined.callId !== state.callId || joined.node !== state.node || joined.seq !== state.seq)
    return undefined;
  return joined;
}
