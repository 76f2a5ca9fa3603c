import type { ToolDescriptor } from '@easyremote/protocol';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { GatewayConfig } from '../config.js';
import type { McpCallContext } from '../mcp/call-context.js';
import { McpProtocolError } from '../mcp/protocol-error.js';
import { ModernTasks, modernTaskFields, type TaskServiceDeps } from './modern-tasks.js';
import { declaresTasksExtension, tasksExtensionRequired } from './task-protocol.js';
import { TaskStore, type TaskRecord } from './task-store.js';

/** What the creating replica knows when a node has started a call as a task. */
export interface StartedTask {
  taskId: string;
  tool: string;
  nodeId: string;
  callId: string;
  principal: string | undefined;
  context: Pick<McpCallContext, 'era'>;
}

/**
 * Durable tasks on this replica: which calls become tasks, the record written before the client
 * hears of one, and the `tasks/*` methods (ADR 0024).
 */
export class TaskService {
  readonly modern: ModernTasks;
  readonly #deps: TaskServiceDeps;
  readonly #config: Pick<GatewayConfig, 'tasks' | 'taskTtlMs' | 'taskPollIntervalMs'>;

  constructor(deps: TaskServiceDeps, config: Pick<GatewayConfig, 'tasks' | 'taskTtlMs' | 'taskPollIntervalMs'>) {
    this.#deps = deps;
    this.#config = config;
    this.modern = new ModernTasks(deps);
  }

  /**
   * The task a tools/call runs as, or undefined for a plain call. A client that declares tasks gets
   * one for every tool that supports them (`EASYREMOTE_TASKS=all`) or only for tools that require
   * them (`required`); a tool that requires a task refuses a client that does not declare tasks.
   */
  taskFor(descriptor: ToolDescriptor | undefined, context: McpCallContext): { id: string } | undefined {
    const support = descriptor?.execution?.taskSupport ?? 'forbidden';
    if (support === 'forbidden' || context.era !== '2026-07-28') return undefined;
    const declared = declaresTasksExtension(context.clientCapabilities);
    if (support === 'required') {
      if (this.#config.tasks === 'off')
        throw new McpProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `Tool ${descriptor!.name} runs only as a task, and tasks are turned off on this gateway (EASYREMOTE_TASKS=off)`,
        );
      if (!declared)
        throw tasksExtensionRequired(
          `Tool ${descriptor!.name} runs only as a task: declare the io.modelcontextprotocol/tasks extension in clientCapabilities`,
        );
      return { id: TaskStore.newTaskId() };
    }
    return declared && this.#config.tasks === 'all' ? { id: TaskStore.newTaskId() } : undefined;
  }

  /** Writes the task's record (before the client hears of the task) and renders CreateTaskResult. */
  async created(started: StartedTask): Promise<Record<string, unknown>> {
    const now = Date.now();
    const record: TaskRecord = {
      v: 1,
      taskId: started.taskId,
      owner: started.principal ?? null,
      tool: started.tool,
      nodeId: started.nodeId,
      instanceId: this.#deps.registry.node(started.nodeId)?.advert.instanceId,
      callId: started.callId,
      era: started.context.era,
      createdAt: now,
      updatedAt: now,
      ttlMs: this.#config.taskTtlMs,
      pollIntervalMs: this.#config.taskPollIntervalMs,
    };
    await this.#deps.store.create(record);
    return { resultType: 'task', ...modernTaskFields(record, { status: 'working', lastUpdatedAt: now }) };
  }
}
