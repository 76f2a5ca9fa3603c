import { randomUUID } from 'node:crypto';
import { silentLogger, type CallNotification, type CallResponse, type Logger } from '@easyremote/protocol';
import { compiledTool, type ToolDefinition } from './define-tool.js';
import { executeCall } from './execute-call.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

export interface RunToolOptions {
  /** Overrides the tool's own timeout (and the 30 s default). */
  timeoutMs?: number;
  /** Aborting it aborts the handler and ends the call. */
  signal?: AbortSignal;
  callId?: string;
  nodeId?: string;
  meta?: Record<string, unknown>;
  logger?: Logger;
  /** Receives the handler's progress and log notifications. */
  onNotification?: (notification: CallNotification) => void;
}

/**
 * Runs a tool in this process exactly as a node would (defaults, validation, deadline, result
 * shaping, error codes) and returns the response envelope — for unit tests of handlers and for
 * in-process use without a mesh.
 */
export async function runTool(tool: ToolDefinition, args: Record<string, unknown>, options: RunToolOptions = {}): Promise<CallResponse> {
  const compiled = compiledTool(tool);
  const controller = new AbortController();
  const { signal } = options;
  const forward = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  try {
    return await executeCall(compiled, structuredClone(args), {
      callId: options.callId ?? randomUUID(),
      nodeId: options.nodeId ?? 'local',
      deadline: Date.now() + (options.timeoutMs ?? compiled.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS),
      meta: options.meta,
      logger: options.logger ?? silentLogger,
      notify: options.onNotification,
      controller,
    });
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}
