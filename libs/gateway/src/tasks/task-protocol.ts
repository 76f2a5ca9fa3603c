import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../mcp/protocol-error.js';

/** The 2026-07-28 Tasks extension (SEP-2663). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** 2026-07-28: the request needs a capability the client did not declare (MissingRequiredClientCapabilityError). */
export const MISSING_REQUIRED_CAPABILITY = -32021;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A task time on the wire (ISO 8601, both eras). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Whether these client capabilities (one request's, in 2026-07-28) declare the Tasks extension. */
export function declaresTasksExtension(capabilities: Readonly<Record<string, unknown>>): boolean {
  const extensions = capabilities.extensions;
  return isPlainObject(extensions) && isPlainObject(extensions[TASKS_EXTENSION]);
}

/** -32021 naming the extension, as the 2026-07-28 schema wants it (HTTP 400). */
export function tasksExtensionRequired(message: string): McpProtocolError {
  return new McpProtocolError(
    MISSING_REQUIRED_CAPABILITY,
    message,
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
    400,
  );
}

/** One answer for an unknown, expired and someone else's task, so an id reveals nothing. */
export function unknownTask(taskId: unknown): McpProtocolError {
  const shown = typeof taskId === 'string' ? JSON.stringify(taskId.slice(0, 64)) : 'without an id';
  return new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown task ${shown}: not found or expired`);
}

export function taskIdOf(params: Readonly<Record<string, unknown>>): string {
  const taskId = params.taskId;
  if (typeof taskId !== 'string' || taskId.length === 0)
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'tasks/* needs a string "taskId"');
  return taskId;
}
