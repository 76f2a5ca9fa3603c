import {
  CANCEL_SUBJECT,
  encodeJson,
  type CallerClient,
  type CallerIdentity,
  type ToolDescriptor,
} from '@easyremote/protocol';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { GatewayConfig } from '../config.js';
import type { McpCallContext } from '../mcp/call-context.js';
import type { ClientRequests } from '../mcp/client-requests.js';
import { McpProtocolError } from '../mcp/protocol-error.js';
import type { GatewayTaskRunner } from './gateway-task-runner.js';
import { LegacyTasks, legacyTask } from './legacy-tasks.js';
import { TaskActivity } from './task-activity.js';
import { TaskListen } from './task-listen.js';
import { ModernTasks, modernTaskFields } from './modern-tasks.js';
import { TaskOperations, type TaskServiceDeps } from './task-operations.js';
import { declaresTasksExtension, isPlainObject, tasksExtensionRequired } from './task-protocol.js';
import { TaskStore, type TaskRecord, type TaskRetry } from './task-store.js';

type TaskSettings = Pick<GatewayConfig, 'tasks' | 'taskTtlMs' | 'taskPollIntervalMs'>;

/** The task a tools/call runs as: its id, and how long it stays readable. */
export interface PlannedTask {
  id: string;
  ttlMs: number;
}

/** What the creating replica knows when a node has started a call as a task. */
export interface StartedTask {
  task: PlannedTask;
  tool: string;
  nodeId: string;
  callId: string;
  principal: string | undefined;
  era: McpCallContext['era'] | 'rest';
  /** For a task of an idempotent or fan-out tool: what running it again elsewhere takes (retryOf). */
  retry?: Omit<TaskRetry, 'attempts' | 'placingSince'> | undefined;
}

/** Arguments larger than this are not kept for running a task again (its task fails with its node). */
const RETRY_ARGUMENTS_BYTES = 256 * 1024;

/**
 * What a task of `descriptor` keeps to be run again elsewhere, for small arguments: an idempotent
 * tool's, and a fan-out tool's (taken over chunk by chunk, none run twice: fanout-journal.ts).
 */
export function retryOf(
  descriptor: ToolDescriptor | undefined,
  args: Record<string, unknown>,
  caller: CallerIdentity,
  client: CallerClient | undefined,
): StartedTask['retry'] {
  if (descriptor?.annotations?.idempotentHint !== true && descriptor?.fanout === undefined) return undefined;
  if (Buffer.byteLength(JSON.stringify(args)) > RETRY_ARGUMENTS_BYTES) return undefined;
  return { arguments: args, caller, client };
}

/**
 * Durable tasks on this replica (ADR 0024): which calls become tasks, the record written before the
 * client hears of one, and the `tasks/*` methods of both eras.
 */
export class TaskService {
  readonly modern: ModernTasks;
  readonly legacy: LegacyTasks;
  /** What every front door does to a task (REST's task routes use it directly). */
  readonly operations: TaskOperations;
  /** The tasks created through this replica, for the dashboard. */
  readonly activity: TaskActivity;
  /** `notifications/tasks` on 2026-07-28 listen streams. */
  readonly listen: TaskListen;
  readonly #deps: TaskServiceDeps;
  readonly #config: TaskSettings;
  /** This replica, when it runs a task itself (a fan-out) instead of a node. */
  readonly #gatewayId: string;

  constructor(
    deps: TaskServiceDeps & { clientRequests: ClientRequests; runner: GatewayTaskRunner },
    config: TaskSettings,
  ) {
    this.#gatewayId = deps.runner.gatewayId;
    this.#deps = deps;
    this.#config = config;
    const operations = new TaskOperations(deps);
    this.operations = operations;
    this.activity = new TaskActivity(deps.store);
    this.listen = new TaskListen(operations);
    this.modern = new ModernTasks(operations);
    this.legacy = new LegacyTasks(operations, deps.store, deps.clientRequests, deps.logger);
  }

  /** Whether this gateway offers tasks at all (`EASYREMOTE_TASKS` is not `off`): what it advertises. */
  get enabled(): boolean {
    return this.#config.tasks !== 'off';
  }

  /**
   * The task a tools/call runs as, or undefined for a plain call; throws the refusal of a call that
   * cannot run. 2026-07-28: the server decides, for a request that declares the extension — every
   * tool that supports tasks (`EASYREMOTE_TASKS=all`) or only those that require them (`required`).
   * 2025-11-25: the client decides with `params.task`, which a tool must accept (`execution.taskSupport`).
   */
  taskFor(
    descriptor: ToolDescriptor | undefined,
    context: McpCallContext,
    requested: unknown,
  ): PlannedTask | undefined {
    if (descriptor === undefined) return undefined;
    const support = descriptor.execution?.taskSupport ?? 'forbidden';
    const off = this.#config.tasks === 'off';
    if (context.era === '2025-11-25') {
      // A gateway with tasks off runs task-augmented calls as plain ones (it ignores params.task).
      if (requested === undefined || off) {
        if (support === 'required')
          throw new McpProtocolError(
            ProtocolErrorCode.MethodNotFound,
            `Tool ${descriptor.name} requires task augmentation (taskSupport: 'required')${off ? ', and tasks are turned off on this gateway (EASYREMOTE_TASKS=off)' : ''}`,
          );
        return undefined;
      }
      if (support === 'forbidden')
        throw new McpProtocolError(
          ProtocolErrorCode.MethodNotFound,
          `Tool ${descriptor.name} does not support task augmentation (taskSupport: 'forbidden')`,
        );
      if (!isPlainObject(requested))
        throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'tools/call "task" must be an object');
      const ttl = requested.ttl;
      const wanted = typeof ttl === 'number' && Number.isInteger(ttl) && ttl > 0 ? ttl : this.#config.taskTtlMs;
      return { id: TaskStore.newTaskId(), ttlMs: Math.min(wanted, this.#config.taskTtlMs) };
    }
    if (support === 'forbidden') return undefined;
    const declared = declaresTasksExtension(context.clientCapabilities);
    if (support === 'required') {
      if (off)
        throw new McpProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `Tool ${descriptor.name} runs only as a task, and tasks are turned off on this gateway (EASYREMOTE_TASKS=off)`,
        );
      if (!declared)
        throw tasksExtensionRequired(
          `Tool ${descriptor.name} runs only as a task: declare the io.modelcontextprotocol/tasks extension in clientCapabilities`,
        );
      return this.#planned();
    }
    return declared && this.#config.tasks === 'all' ? this.#planned() : undefined;
  }

  /**
   * REST's `Prefer: respond-async`: a task for a tool that supports one (the client asked), none
   * otherwise (the preference is ignored, RFC 7240), none when tasks are off.
   */
  restTaskFor(descriptor: ToolDescriptor | undefined, preferAsync: boolean): PlannedTask | undefined {
    const support = descriptor?.execution?.taskSupport ?? 'forbidden';
    if (!preferAsync || support === 'forbidden' || this.#config.tasks === 'off') return undefined;
    return this.#planned();
  }

  /** Writes the task's record (before the client hears of the task) and renders CreateTaskResult. */
  async created(started: StartedTask): Promise<Record<string, unknown>> {
    const { record, state } = await this.record(started);
    if (started.era === '2025-11-25') return { task: legacyTask(record, state) };
    return { resultType: 'task', ...modernTaskFields(record, state) };
  }

  /** Writes the task's record; resolves once JetStream holds it. */
  async record(
    started: StartedTask,
  ): Promise<{ record: TaskRecord; state: { status: 'working'; lastUpdatedAt: number } }> {
    const now = Date.now();
    const record: TaskRecord = {
      v: 1,
      taskId: started.task.id,
      owner: started.principal ?? null,
      tool: started.tool,
      nodeId: started.nodeId,
      instanceId: this.#deps.registry.node(started.nodeId)?.advert.instanceId,
      ...(started.nodeId === this.#gatewayId ? { runner: 'gateway' as const } : {}),
      ...(started.retry === undefined ? {} : { retry: { ...started.retry, attempts: 1 } }),
      callId: started.callId,
      era: started.era,
      createdAt: now,
      updatedAt: now,
      ttlMs: started.task.ttlMs,
      pollIntervalMs: this.#config.taskPollIntervalMs,
    };
    try {
      await this.#deps.store.create(record);
    } catch (error) {
      // Nobody could follow or cancel it: stop the work (node, or this replica's fan-out runner).
      this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId: started.callId, reason: 'task not stored' }));
      throw error;
    }
    this.activity.add(record);
    return { record, state: { status: 'working', lastUpdatedAt: now } };
  }

  #planned(): PlannedTask {
    return { id: TaskStore.newTaskId(), ttlMs: this.#config.taskTtlMs };
  }
}
