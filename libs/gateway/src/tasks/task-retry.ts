import { AccessPolicy } from '@easyremote/auth';
import type { ToolCall } from '../pipeline/call-pipeline.js';
import type { TaskRecord } from './task-store.js';

/**
 * The call that runs a task again after its node (a fan-out's: its replica) died: the same tool,
 * arguments, caller and client as the first time, under a new call id, as the same task. It goes to
 * the call runner directly: the task was authorised, rate-limited and recorded when it was created.
 */
export function redispatchedCall(record: TaskRecord, callId: string): ToolCall {
  const retry = record.retry;
  if (retry === undefined) throw new TypeError(`task ${record.taskId} keeps nothing to run it again`);
  return {
    tool: record.tool,
    arguments: retry.arguments,
    callId,
    via: record.era === 'rest' ? 'rest' : `mcp-${record.era}`,
    principal: record.owner ?? undefined,
    access: new AccessPolicy(retry.caller.scopes),
    ...(retry.client === undefined ? {} : { client: retry.client }),
    // A fan-out's task takes over what its first runner began (its chunks' journal).
    task: { id: record.taskId, ...(record.runner === 'gateway' ? { resumed: true } : {}) },
  };
}
