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
});
export type NodeTaskState = Static<typeof NodeTaskState>;

export const decodeNodeTaskState = (() => {
  const validator = Compile(NodeTaskState);
  return (value: unknown): NodeTaskState | undefined => (validator.Check(value) ? value : undefined);
})();
