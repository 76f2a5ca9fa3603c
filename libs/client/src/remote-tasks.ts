import { randomBytes } from 'node:crypto';
import { decodeNodeTaskState, joinTaskState, nodeTaskKey, TASKS_BUCKET, type CallResponse } from '@easyremote/protocol';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { ClientError, ClientErrorCode, RemoteToolError } from './errors.js';
import { toolValue } from './tool-value.js';

/** A task started over the direct path: which node runs it, under which id. */
export interface RemoteTask {
  readonly tool: string;
  readonly taskId: string;
  readonly nodeId: string;
  /** The call that runs it (what a cancellation names). */
  readonly callId: string;
}

export interface AwaitRemoteTaskOptions {
  signal?: AbortSignal;
  /** Give up (REMOTE_ERR_TASK_TIMEOUT) after this long; the task itself runs on. */
  timeoutMs?: number;
  /** How often the node's state is read. Default 250 ms. */
  pollMs?: number;
}

export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

/** The node's answer to a task call: started, or a failure thrown. */
export function startedOrThrow(tool: string, response: CallResponse, nodeId: string | undefined): string {
  if (!response.ok) throw new RemoteToolError(tool, response.error.code, response.error.message, response.error.data);
  if (!('taskStarted' in response) || nodeId === undefined)
    throw new ClientError(ClientErrorCode.NotATask, `tool ${tool} answered at once: it does not run as a task`);
  return nodeId;
}

/**
 * Reads a direct-path task's state from the node's own key in the tasks bucket (which gateways
 * create) until it ends. Without a gateway nothing watches the node's liveness: a node that dies
 * leaves the task working, and `timeoutMs` is what ends the wait.
 */
export async function awaitRemoteTask<Result>(
  nc: NatsConnection,
  task: RemoteTask,
  options: AwaitRemoteTaskOptions = {},
): Promise<Result> {
  let kv: KV;
  try {
    kv = await new Kvm(nc).open(TASKS_BUCKET);
  } catch (cause) {
    throw new ClientError(
      ClientErrorCode.TaskRequestFailed,
      `the ${TASKS_BUCKET} bucket is not reachable (a gateway creates it)`,
      { cause },
    );
  }
  const key = nodeTaskKey(task.nodeId, task.taskId);
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const entry = await kv.get(key);
    const entryState = entry === null || entry.operation !== 'PUT' ? undefined : decodeNodeTaskState(entry.json());
    const state =
      entryState === undefined
        ? undefined
        : await joinTaskState(entryState, task.taskId, async (chunkKey) => {
            const chunk = await kv.get(chunkKey);
            return chunk === null || chunk.operation !== 'PUT' ? undefined : chunk.value;
          });
    const response = state?.response;
    if (response !== undefined && !('taskStarted' in response)) {
      if (!response.ok)
        throw new RemoteToolError(task.tool, response.error.code, response.error.message, response.error.data);
      if ('inputRequired' in response)
        throw new RemoteToolError(
          task.tool,
          ClientErrorCode.InputRequired,
          `task ${task.taskId} of tool ${task.tool} needs input from an interactive MCP client`,
        );
      return toolValue<Result>(task.tool, response.result);
    }
    if (Date.now() >= deadline) throw new ClientError(ClientErrorCode.TaskTimeout, `task ${task.taskId} has not ended`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 250, deadline - Date.now())));
  }
}
