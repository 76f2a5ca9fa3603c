import { CANCEL_SUBJECT, encodeJson, type Logger } from '@easyremote/protocol';
import { resumeOnNode, type RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { GatewayErrorCode } from '../errors.js';
import type { McpCallContext } from '../mcp/call-context.js';
import { McpProtocolError } from '../mcp/protocol-error.js';
import { declaresTasksExtension, taskIdOf, tasksExtensionRequired, unknownTask } from './task-protocol.js';
import { isExpired, isTerminal, taskState, type TaskState } from './task-state.js';
import type { StoredTask, TaskRecord, TaskStore } from './task-store.js';

const COMPLETE = Object.freeze({ resultType: 'complete' });
/** How long `tasks/update` waits for the node to take the answers before it acknowledges anyway. */
const RESUME_TIMEOUT_MS = 5_000;

export interface TaskServiceDeps {
  store: TaskStore;
  registry: RegistryView;
  nc: NatsConnection;
  rpc: RpcClient;
  logger: Logger;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The task fields every era-2026 view carries (`Task`). */
export function modernTaskFields(record: TaskRecord, state: Pick<TaskState, 'status' | 'lastUpdatedAt'>) {
  return {
    taskId: record.taskId,
    status: state.status,
    createdAt: iso(record.createdAt),
    lastUpdatedAt: iso(state.lastUpdatedAt),
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollIntervalMs,
  };
}

/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` of the 2026-07-28 Tasks extension, answered by any
 * replica from the task store. A task is visible to the principal that created it only; another
 * credential, an expired task and an unknown id all get the same -32602.
 */
export class ModernTasks {
  readonly #deps: TaskServiceDeps;

  constructor(deps: TaskServiceDeps) {
    this.#deps = deps;
  }

  async get(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const task = await this.#own(params, context);
    const state = await this.#settled(task);
    return {
      ...COMPLETE,
      ...modernTaskFields(task.record, state),
      ...(state.inputRequests === undefined ? {} : { inputRequests: state.inputRequests }),
      ...(state.result === undefined ? {} : { result: state.result }),
      ...(state.error === undefined ? {} : { error: state.error, statusMessage: state.error.message }),
    };
  }

  /**
   * The client's answers to the task's input requests. The answered keys leave `inputRequests` at
   * once (on every replica); the answers go to the node, which resumes the handler. Keys the task
   * does not wait on are ignored.
   */
  async update(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const responses = params.inputResponses;
    if (!isPlainObject(responses))
      throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'tasks/update needs an "inputResponses" object');
    const task = await this.#own(params, context);
    const state = taskState(task);
    if (state.status !== 'input_required' || task.node === undefined) return COMPLETE;
    const seq = task.node.seq;
    const keys = Object.keys(responses).filter((key) => Object.hasOwn(state.inputRequests ?? {}, key));
    if (keys.length === 0) return COMPLETE;
    await this.#deps.store.update(task.record.taskId, ({ record, node }) => {
      if (record.verdict !== undefined || node?.seq !== seq) return undefined;
      const before = record.answered?.seq === seq ? record.answered.keys : [];
      return { ...record, updatedAt: Date.now(), answered: { seq, keys: [...new Set([...before, ...keys])] } };
    });
    const answers = Object.fromEntries(keys.map((key) => [key, responses[key]]));
    await resumeOnNode(this.#deps.rpc, task.record.nodeId, answers, {
      callId: task.record.callId,
      timeoutMs: RESUME_TIMEOUT_MS,
    }).catch((error: unknown) => {
      // The node is gone or slow: the task's state (node gone, its deadline) tells the client the rest.
      this.#deps.logger.warn({ err: error, taskId: task.record.taskId }, 'could not hand task input to its node');
    });
    return COMPLETE;
  }

  /** Cancels a running task (its node is told to abort it); a finished task stays as it ended. */
  async cancel(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<Record<string, unknown>> {
    const task = await this.#own(params, context);
    const stored = await this.#deps.store.update(task.record.taskId, (current) =>
      isTerminal(taskState(current).status)
        ? undefined
        : { ...current.record, updatedAt: Date.now(), verdict: { status: 'cancelled' } },
    );
    if (stored?.record.verdict?.status === 'cancelled')
      this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId: task.record.callId, reason: 'task cancelled' }));
    return COMPLETE;
  }

  /** The caller's own live task, or the one answer for every other case. */
  async #own(params: Readonly<Record<string, unknown>>, context: McpCallContext): Promise<StoredTask> {
    if (!declaresTasksExtension(context.clientCapabilities))
      throw tasksExtensionRequired('tasks/* needs the io.modelcontextprotocol/tasks extension in clientCapabilities');
    const taskId = taskIdOf(params);
    const task = await this.#deps.store.read(taskId);
    if (task === undefined || task.record.owner !== (context.principal ?? null) || isExpired(task.record, Date.now()))
      throw unknownTask(taskId);
    return task;
  }

  /**
   * The task's state, with one check no node can make: a task whose node left the mesh (or
   * restarted) while it ran is failed, once and for every replica, by a compare-and-set verdict.
   */
  async #settled(task: StoredTask): Promise<TaskState> {
    const state = taskState(task);
    if (isTerminal(state.status)) return state;
    const node = this.#deps.registry.node(task.record.nodeId);
    const sameInstance =
      node !== undefined && (task.record.instanceId === undefined || node.advert.instanceId === task.record.instanceId);
    if (sameInstance) return state;
    const error = {
      code: -32603,
      message: `node ${task.record.nodeId} left the mesh while running the task`,
      data: { code: GatewayErrorCode.NodeGone },
    };
    const stored = await this.#deps.store.update(task.record.taskId, (current) =>
      isTerminal(taskState(current).status)
        ? undefined
        : { ...current.record, updatedAt: Date.now(), verdict: { status: 'failed', error } },
    );
    return stored === undefined ? state : taskState(stored);
  }
}
