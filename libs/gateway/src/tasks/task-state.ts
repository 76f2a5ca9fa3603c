import { WireErrorCode, type CallResponse, type InputRequest, type WireError } from '@easyremote/protocol';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import { renderOutcome } from '../mcp/methods/render-outcome.js';
import type { StoredTask, TaskRecord } from './task-store.js';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** What a task is now, from the gateways' record and the node's latest state together. */
export interface TaskState {
  status: TaskStatus;
  lastUpdatedAt: number;
  /** `input_required`: the requests still unanswered. */
  inputRequests?: Record<string, InputRequest>;
  /** `completed`: the tool's result (an `isError` result is a completed task too). */
  result?: CallToolResult;
  /** `failed`: a JSON-RPC error object. */
  error?: { code: number; message: string; data?: unknown };
}

/**
 * Failures that mean the work did not finish (rather than that the tool reported a failure): a
 * task ends `failed` with them, although a plain call shows them as an `isError` result.
 */
const UNFINISHED = new Set<string>([
  WireErrorCode.DeadlineExceeded,
  WireErrorCode.ShuttingDown,
  WireErrorCode.Cancelled,
  GatewayErrorCode.NodeGone,
  GatewayErrorCode.Timeout,
]);

export function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export function isExpired(record: TaskRecord, now: number): boolean {
  return now > record.createdAt + record.ttlMs;
}

/** The JSON-RPC error a task that failed with `error` reports (`data.code` keeps the stable code). */
export function taskError(error: WireError): { code: number; message: string; data: Record<string, unknown> } {
  return { code: renderingOf(error.code).jsonRpc, message: error.message, data: { code: error.code } };
}

/**
 * The task's state: a gateway's verdict (cancelled, failed) wins; otherwise the node's latest
 * state, less the input already answered through `tasks/update` that the node has not caught up with.
 */
export function taskState({ record, node }: StoredTask): TaskState {
  const lastUpdatedAt = Math.max(record.updatedAt, node?.at ?? 0);
  const response = node?.response;
  // A gateway's verdict wins, unless the node had ended the task before the verdict was written
  // (an abort the verdict caused, a cancellation, is never that).
  if (record.verdict !== undefined && !(endedBy(response) && node!.at < record.updatedAt)) {
    const { status, error } = record.verdict;
    return { status, lastUpdatedAt, ...(error === undefined ? {} : { error }) };
  }
  if (response === undefined) return { status: 'working', lastUpdatedAt };
  return { ...stateOfResponse(record, node!.seq, response), lastUpdatedAt };
}

function endedBy(response: CallResponse | undefined): boolean {
  if (response === undefined || 'inputRequired' in response || 'taskStarted' in response) return false;
  return response.ok || response.error.code !== WireErrorCode.Cancelled;
}

function stateOfResponse(record: TaskRecord, seq: number, response: CallResponse): Omit<TaskState, 'lastUpdatedAt'> {
  if (!response.ok) {
    const rendering = renderingOf(response.error.code);
    if (rendering.toolError && !UNFINISHED.has(response.error.code)) {
      const outcome = { kind: 'failed', error: response.error, callId: record.callId, nodeId: record.nodeId } as const;
      return { status: 'completed', result: renderOutcome(outcome) };
    }
    return { status: 'failed', error: taskError(response.error) };
  }
  if ('inputRequired' in response) {
    const answered = record.answered?.seq === seq ? new Set(record.answered.keys) : undefined;
    const pending = Object.entries(response.inputRequired).filter(([key]) => !answered?.has(key));
    // Every request answered: the node works again (its next state says so too).
    if (pending.length === 0) return { status: 'working' };
    return { status: 'input_required', inputRequests: Object.fromEntries(pending) };
  }
  if ('taskStarted' in response) return { status: 'working' };
  const outcome = { kind: 'result', result: response.result, callId: record.callId, nodeId: record.nodeId } as const;
  return { status: 'completed', result: renderOutcome(outcome) };
}
