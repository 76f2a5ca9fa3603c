import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import type { TaskOperations } from '../tasks/task-operations.js';
import type { TaskState } from '../tasks/task-state.js';
import type { TaskRecord } from '../tasks/task-store.js';
import { restValue } from './rest-value.js';

function fail(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(renderingOf(code).http).send({ error: { code, message } });
}

export function taskLocation(taskId: string): string {
  return `/mcp/tasks/${encodeURIComponent(taskId)}`;
}

/**
 * A task as REST shows it: its fields, then what it ended with in the shapes of
 * `POST /mcp/tools/{name}` — `result` and `node`, or `error { code, message }`.
 */
export function restTask(record: TaskRecord, state: TaskState): Record<string, unknown> {
  const view: Record<string, unknown> = {
    taskId: record.taskId,
    tool: record.tool,
    status: state.status,
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(state.lastUpdatedAt).toISOString(),
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollIntervalMs,
  };
  if (state.inputRequests !== undefined) view.inputRequests = state.inputRequests;
  const result = state.result;
  if (result !== undefined) {
    if (result.isError === true) {
      const coded = (result._meta?.['easyremote/error'] as { code?: unknown } | undefined)?.code;
      const text = result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
      view.error = { code: typeof coded === 'string' ? coded : GatewayErrorCode.ToolResultError, message: text };
    } else {
      view.result = result.structuredContent ?? restValue(result.content as unknown as Record<string, unknown>[]);
      view.node = record.runner === 'gateway' ? undefined : record.nodeId;
    }
  }
  if (state.error !== undefined) {
    const coded = (state.error.data as { code?: unknown } | undefined)?.code;
    view.error = { code: typeof coded === 'string' ? coded : GatewayErrorCode.Internal, message: state.error.message };
  }
  return view;
}

/**
 * Tasks outside MCP: `GET /mcp/tasks/{id}` is the task and, once it ended, its result or error;
 * `DELETE /mcp/tasks/{id}` cancels it (a task that ended stays as it ended) and answers the task.
 * Only the principal that created a task sees it; anyone else gets the 404 an unknown id gets.
 */
export function registerTaskRoutes(app: FastifyInstance, deps: { tasks: TaskOperations }): void {
  app.get<{ Params: { id: string } }>('/mcp/tasks/:id', async (request, reply) => {
    const owned = await deps.tasks.own(request.params.id, request.principal).catch(() => undefined);
    if (owned === undefined) return fail(reply, GatewayErrorCode.TaskNotFound, 'No such task');
    const { task, state } = await deps.tasks.settled(owned);
    return restTask(task.record, state);
  });

  app.delete<{ Params: { id: string } }>('/mcp/tasks/:id', async (request, reply) => {
    const owned = await deps.tasks.own(request.params.id, request.principal).catch(() => undefined);
    if (owned === undefined) return fail(reply, GatewayErrorCode.TaskNotFound, 'No such task');
    await deps.tasks.cancel(owned);
    const { task, state } = await deps.tasks.settled((await deps.tasks.reread(owned)) ?? owned);
    return restTask(task.record, state);
  });
}
