import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { CallResponse } from './envelope.js';
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
  /** Epoch milliseconds of the write. */
  at: Type.Number(),
  response: Type.Optional(CallResponse),
  /**
   * A state too large for one KV value (one NATS message): its JSON, `bytes` long, is stored in
   * `chunks` values under `taskChunkKey(...)`, and this entry carries no `response`.
   */
  chunks: Type.Optional(Type.Integer({ minimum: 1 })),
  bytes: Type.Optional(Type.Integer({ minimum: 1 })),
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
  const pieces = await Promise.all(
    Array.from({ length: state.chunks }, (_, index) => get(taskChunkKey(state.node, taskId, state.seq, index))),
  );
  if (pieces.some((piece) => piece === undefined)) return undefined;
  const bytes = Buffer.concat(pieces as Uint8Array[]);
  if (state.bytes !== undefined && bytes.length !== state.bytes) return undefined;
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
