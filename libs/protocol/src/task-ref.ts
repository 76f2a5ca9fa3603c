import { Type, type Static } from 'typebox';

/** 128 random bits, base64url: unguessable, and a valid KV key token and header value. */
export const TASK_ID_PATTERN = '^[A-Za-z0-9_-]{22,64}$';
const TASK_ID = new RegExp(TASK_ID_PATTERN);

export function isValidTaskId(value: unknown): value is string {
  return typeof value === 'string' && TASK_ID.test(value);
}

/**
 * Whether a tool runs as a task (MCP `execution.taskSupport`): `forbidden` (the default) never,
 * `optional` when the client declares tasks, `required` only as a task (a client that does not
 * declare tasks is refused).
 */
export const TaskSupport = Type.Union([Type.Literal('forbidden'), Type.Literal('optional'), Type.Literal('required')]);
export type TaskSupport = Static<typeof TaskSupport>;

/** `CallRequest.task`: the call runs as this task; the node writes its outcomes to `n.<node>.<task>`. */
export const TaskRef = Type.Object({
  id: Type.String({ pattern: TASK_ID_PATTERN }),
  /**
   * A fan-out's chunk: the node stores the task's started state before it answers `taskStarted`,
   * so a replica taking the fan-out over finds the chunk running instead of running it again.
   */
  recordStart: Type.Optional(Type.Boolean()),
});
export type TaskRef = Static<typeof TaskRef>;
