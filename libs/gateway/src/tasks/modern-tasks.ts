import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { McpCallContext } from '../mcp/call-context.js';
import { McpProtocolError } from '../mcp/protocol-error.js';
import type { TaskOperations } from './task-operations.js';
import { declaresTasksExtension, isoTime, isPlainObject, taskIdOf, tasksExtensionRequired } from './task-protocol.js';
import type { TaskState } from './task-state.js';
import type { StoredTask, TaskRecord } from './task-store.js';

const COMPLETE = Object.freeze({ resultType: 'complete' });

/** The task fields every 2026-07-28 view carries (`Task`). */
export function modernTaskFields(record: TaskRecord, state: Pick<TaskState, 'status' | 'lastUpdatedAt'>) {
  return {
    taskId: record.taskId,
    status: state.status,
    createdAt: isoTime(record.createdAt),
    lastUpdatedAt: isoTime(state.lastUpdatedAt),
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollIntervalMs,
  };
}

/** The DetailedTask: the task with what its status carries (`tasks/get`, `notifications/tasks`). */
export function modernTaskView(record: TaskRecord, state: TaskState): Record<string, unknown> {
  return {
    ...modernTaskFields(record, state),
    ...(state.inputRequests === undefined ? {} : { inputRequests: state.inputRequests }),
    ...(state.result === undefined ? {} : { result: state.result }),
    ...(state.error === undefined ? {} : { error: state.error, statusMessage: state.error.message }),
  };
}

/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` of the 2026-07-28 Tasks extension (SEP-2663): a
 * request must declare the extension in its own `_meta` (-32021 otherwise, before any lookup);
 * updates and cancellations are acknowledged with an empty result and are visible at once.
 */
export class ModernTasks {
  readonly #tasks: TaskOperations;

  constructor(tasks: TaskOperations) {
    this.#tasks = tasks;
  }

  async get(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const { task, state } = await this.#tasks.settled(await this.#own(params, context));
    return { ...COMPLETE, ...modernTaskView(task.record, state) };
  }

  async update(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const task = await this.#own(params, context);
    const responses = params.inputResponses;
    if (!isPlainObject(responses))
      throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'tasks/update needs an "inputResponses" object');
    await this.#tasks.answer(task, responses);
    return COMPLETE;
  }

  /** A task that has ended stays as it ended; the acknowledgement is the same. */
  async cancel(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    await this.#tasks.cancel(await this.#own(params, context));
    return COMPLETE;
  }

  #own(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<StoredTask> {
    if (!declaresTasksExtension(context.clientCapabilities))
      throw tasksExtensionRequired('tasks/* needs the io.modelcontextprotocol/tasks extension in clientCapabilities');
    return this.#tasks.own(taskIdOf(params), context.principal);
  }
}
