import { setTimeout as sleep } from 'node:timers/promises';
import { type RequestId, SUBSCRIPTION_ID_META_KEY } from '@modelcontextprotocol/server';
import type { McpCallContext } from '../mcp/call-context.js';
import type { ResponseChannel } from '../mcp/response-channel.js';
import { modernTaskView } from './modern-tasks.js';
import type { TaskOperations } from './task-operations.js';
import { declaresTasksExtension, tasksExtensionRequired } from './task-protocol.js';
import { isTerminal } from './task-state.js';
import type { StoredTask } from './task-store.js';

/** Most task ids one listen stream may follow. */
export const MAX_LISTENED_TASKS = 100;
/** How often a followed task is read. */
const FOLLOW_MS = 500;

/**
 * 2026-07-28 `subscriptions/listen` with `notifications.taskIds`: the caller's own tasks among them
 * are what the server agrees to report on (the acknowledgement lists them); each is read from the
 * task store while the stream is open and reported as `notifications/tasks` (the DetailedTask
 * `tasks/get` would answer) whenever its status or update time changes, until it ends.
 */
export class TaskListen {
  readonly #tasks: TaskOperations;

  constructor(tasks: TaskOperations) {
    this.#tasks = tasks;
  }

  /** The listed ids the caller may follow; -32021 when the request does not declare the extension. */
  async agreed(taskIds: unknown, context: McpCallContext): Promise<StoredTask[]> {
    if (!declaresTasksExtension(context.clientCapabilities))
      throw tasksExtensionRequired('taskIds on subscriptions/listen needs the io.modelcontextprotocol/tasks extension');
    const ids = Array.isArray(taskIds) ? taskIds.filter((id): id is string => typeof id === 'string') : [];
    const owned = await Promise.all(
      [...new Set(ids)]
        .slice(0, MAX_LISTENED_TASKS)
        .map((id) => this.#tasks.own(id, context.principal).catch(() => undefined)),
    );
    return owned.filter((task): task is StoredTask => task !== undefined);
  }

  /** Follows the tasks on the stream until each ended or the stream closed. */
  follow(tasks: readonly StoredTask[], id: RequestId, channel: ResponseChannel): void {
    if (tasks.length === 0) return;
    const controller = new AbortController();
    channel.onClose(() => controller.abort());
    this.#run(tasks, id, channel, controller.signal).catch(() => {
      // A failing stream ends the following, not the process; the stream stays open.
    });
  }

  async #run(
    tasks: readonly StoredTask[],
    id: RequestId,
    channel: ResponseChannel,
    signal: AbortSignal,
  ): Promise<void> {
    const seen = new Map<string, string>();
    let open = [...tasks];
    while (open.length > 0 && !signal.aborted) {
      const next: StoredTask[] = [];
      for (const task of open) {
        let read: Awaited<ReturnType<TaskOperations['settled']>>;
        try {
          const fresh = await this.#tasks.reread(task);
          // Expired or gone: nothing more to report on it.
          if (fresh === undefined) continue;
          read = await this.#tasks.settled(fresh);
        } catch {
          next.push(task);
          continue;
        }
        const { task: current, state } = read;
        const mark = `${state.status}@${state.lastUpdatedAt}`;
        if (seen.get(task.record.taskId) !== mark && !signal.aborted) {
          seen.set(task.record.taskId, mark);
          channel.send({
            jsonrpc: '2.0',
            method: 'notifications/tasks',
            params: { ...modernTaskView(current.record, state), _meta: { [SUBSCRIPTION_ID_META_KEY]: id } },
          });
        }
        if (!isTerminal(state.status)) next.push(current);
      }
      open = next;
      if (open.length > 0) await sleep(FOLLOW_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}
