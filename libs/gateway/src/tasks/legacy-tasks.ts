import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@easyremote/protocol';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { LiveCall, McpCallContext } from '../mcp/call-context.js';
import type { ClientRequests } from '../mcp/client-requests.js';
import { McpProtocolError, RequestCancelled } from '../mcp/protocol-error.js';
import type { TaskOperations } from './task-operations.js';
import { isoTime, taskIdOf, unknownTask } from './task-protocol.js';
import { isExpired, isTerminal, taskState, type TaskState } from './task-state.js';
import type { StoredTask, TaskRecord, TaskStore } from './task-store.js';

/** 2025-11-25: the `_meta` key tying a message to its task. */
export const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';
const LIST_PAGE = 100;
/** How often `tasks/result` looks at a task it waits for. */
const RESULT_POLL_MS = 200;
/** After a failed answer, how long before the same request goes to the client again. */
const REASK_MS = 5_000;

/** The 2025-11-25 `Task`: an `isError` result is a `failed` task in this era (completed in 2026). */
export function legacyTask(record: TaskRecord, state: TaskState): Record<string, unknown> {
  const failedResult = state.status === 'completed' && state.result?.isError === true;
  const status = failedResult ? 'failed' : state.status;
  const statusMessage = state.error?.message ?? (failedResult ? 'the tool reported an error' : undefined);
  return {
    taskId: record.taskId,
    status,
    ...(statusMessage === undefined ? {} : { statusMessage }),
    createdAt: isoTime(record.createdAt),
    lastUpdatedAt: isoTime(state.lastUpdatedAt),
    ttl: record.ttlMs,
    pollInterval: record.pollIntervalMs,
  };
}

/**
 * The 2025-11-25 experimental tasks: `tasks/get`, `tasks/result` (blocks until the task ends, and
 * relays the task's input requests to the client on its stream, tagged with the related task),
 * `tasks/list` (the caller's tasks only) and `tasks/cancel` (the cancelled task; -32602 once ended).
 */
export class LegacyTasks {
  readonly #tasks: TaskOperations;
  readonly #store: TaskStore;
  readonly #clientRequests: ClientRequests;
  readonly #logger: Logger;

  constructor(tasks: TaskOperations, store: TaskStore, clientRequests: ClientRequests, logger: Logger) {
    this.#tasks = tasks;
    this.#store = store;
    this.#clientRequests = clientRequests;
    this.#logger = logger;
  }

  async get(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const { task, state } = await this.#tasks.settled(await this.#tasks.own(taskIdOf(params), context.principal));
    return legacyTask(task.record, state);
  }

  async cancel(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const { task, state } = await this.#tasks.settled(await this.#tasks.own(taskIdOf(params), context.principal));
    const cancelled = isTerminal(state.status) ? undefined : await this.#tasks.cancel(task);
    if (cancelled === undefined) {
      // Ended before, or while this replica tried: name how.
      const fresh = isTerminal(state.status) ? undefined : await this.#tasks.reread(task);
      const ended = fresh === undefined ? state : (await this.#tasks.settled(fresh)).state;
      throw new McpProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Cannot cancel task: already in terminal status '${legacyTask(task.record, ended).status as string}'`,
      );
    }
    return legacyTask(cancelled.record, taskState(cancelled));
  }

  async list(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const cursor = params.cursor;
    if (cursor !== undefined && typeof cursor !== 'string')
      throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor');
    const owner = context.principal ?? null;
    const ids = (await this.#store.ownedTaskIds(owner)).filter((id) => cursor === undefined || id > cursor);
    const now = Date.now();
    const tasks: Record<string, unknown>[] = [];
    let last: string | undefined;
    for (const id of ids) {
      if (tasks.length === LIST_PAGE) break;
      last = id;
      const task = await this.#store.read(id);
      if (task === undefined || task.record.owner !== owner || isExpired(task.record, now)) continue;
      tasks.push(legacyTask(task.record, (await this.#tasks.settled(task)).state));
    }
    const more = last !== undefined && ids.indexOf(last) < ids.length - 1;
    return more ? { tasks, nextCursor: last } : { tasks };
  }

  /**
   * Waits for the task to end and answers what the call would have: its result (with the related
   * task in `_meta`) or its JSON-RPC error. Meanwhile the task's input requests go to the client on
   * this request's stream, and each answer to the task's node, from whichever replica serves this.
   */
  async result(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    let task = await this.#tasks.own(taskIdOf(params), context.principal);
    const related = { [RELATED_TASK_META_KEY]: { taskId: task.record.taskId } };
    // The client's answers come back through ClientRequests, keyed by this pseudo call.
    const relay = { callId: `task-result:${context.requestId}:${task.record.taskId}`, channel: context.channel };
    // Requests on the stream by key, with when each may be asked again (after a failed answer).
    const asked = new Map<string, number>();
    let status: string | undefined;
    try {
      for (;;) {
        const settled = await this.#tasks.settled(task);
        task = settled.task;
        const { state } = settled;
        const view = legacyTask(task.record, state);
        if (status !== undefined && view.status !== status)
          context.channel.send({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: view });
        status = view.status as string;
        if (isTerminal(state.status)) return this.#payload(task, state, related);
        for (const [key, request] of Object.entries(state.inputRequests ?? {})) {
          if ((asked.get(key) ?? 0) > Date.now()) continue;
          asked.set(key, Number.POSITIVE_INFINITY);
          const asking = task;
          this.#relay(asking, key, request, related, relay as unknown as LiveCall).then(
            (answered) => {
              // The client failed or did not answer: ask again a little later, on this stream.
              if (!answered) asked.set(key, Date.now() + REASK_MS);
            },
            (error: unknown) => {
              asked.set(key, Date.now() + REASK_MS);
              this.#logger.warn({ err: error, taskId: asking.record.taskId }, 'could not relay a task input request');
            },
          );
        }
        await sleep(RESULT_POLL_MS, undefined, { signal: context.signal }).catch(() => undefined);
        if (context.signal.aborted) throw new RequestCancelled();
        const fresh = await this.#tasks.reread(task);
        if (fresh === undefined) throw unknownTask(task.record.taskId);
        task = fresh;
      }
    } finally {
      this.#clientRequests.abandon(relay.callId);
    }
  }

  async #relay(
    task: StoredTask,
    key: string,
    request: { method: string; params: Record<string, unknown> },
    related: Record<string, unknown>,
    relay: LiveCall,
  ): Promise<boolean> {
    const meta = { ...((request.params._meta as Record<string, unknown> | undefined) ?? {}), ...related };
    const timeoutMs = Math.max(1_000, task.record.createdAt + task.record.ttlMs - Date.now());
    const reply = await this.#clientRequests.ask(relay, request.method, { ...request.params, _meta: meta }, timeoutMs);
    if (!reply.ok) return false;
    const fresh = await this.#tasks.reread(task);
    if (fresh !== undefined) await this.#tasks.answer(fresh, { [key]: reply.result });
    return true;
  }

  #payload(task: StoredTask, state: TaskState, related: Record<string, unknown>): Record<string, unknown> {
    if (state.result !== undefined) return { ...state.result, _meta: { ...(state.result._meta ?? {}), ...related } };
    if (state.error !== undefined) throw new McpProtocolError(state.error.code, state.error.message, state.error.data);
    throw new McpProtocolError(ProtocolErrorCode.InternalError, `Task ${task.record.taskId} was cancelled`);
  }
}
