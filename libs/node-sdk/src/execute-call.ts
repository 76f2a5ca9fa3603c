import { EasyRemoteError, WireErrorCode, type CallResponse, type Logger, type WireError } from '@easyremote/protocol';
import type { CompiledTool } from './define-tool.js';
import { CallContext, type NotificationSink } from './tool-context.js';
import { isToolResult, shapeStructured, shapeUnstructured } from './tool-result.js';

export interface ExecuteOptions {
  callId: string;
  nodeId: string;
  /** Absolute deadline, epoch ms. The controller is aborted when it passes. */
  deadline: number;
  meta: Readonly<Record<string, unknown>> | undefined;
  logger: Logger;
  notify: NotificationSink | undefined;
  /**
   * Aborting it ends the call at once; an EasyRemoteError reason supplies the wire code (the node
   * aborts with NODE_ERR_SHUTTING_DOWN on stop).
   */
  controller: AbortController;
}

function failure(code: string, message: string, data?: unknown): CallResponse {
  const error: WireError = data === undefined ? { code, message } : { code, message, data };
  return { ok: false, error };
}

/** ToolError is recognised by shape so errors from another copy of this package still pass through. */
function isToolError(error: unknown): error is EasyRemoteError {
  return error instanceof Error && error.name === 'ToolError' && typeof (error as { code?: unknown }).code === 'string';
}

function abortedResponse(reason: unknown): CallResponse {
  if (reason instanceof EasyRemoteError) return failure(reason.code, reason.message);
  return failure(WireErrorCode.HandlerFailed, 'the call was aborted');
}

function thrownResponse(tool: CompiledTool, error: unknown, options: ExecuteOptions): CallResponse {
  if (isToolError(error)) {
    options.logger.debug({ callId: options.callId, tool: tool.name, code: error.code }, 'tool failed with a ToolError');
    return failure(error.code, error.message, error.data);
  }
  // The stack stays in the node's log: it can name paths and secrets the caller must not see.
  options.logger.error({ callId: options.callId, tool: tool.name, err: error }, 'tool handler failed');
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'the handler threw a non-Error value';
  return failure(WireErrorCode.HandlerFailed, message);
}

/** Turns a handler's return value into the wire result, enforcing the tool's output schema. */
export function shapeResult(tool: CompiledTool, value: unknown): CallResponse {
  const invalidOutput = (reason: string): CallResponse =>
    failure(WireErrorCode.InvalidOutput, `tool ${JSON.stringify(tool.name)} returned an invalid result: ${reason}`);
  if (tool.output === undefined) {
    try {
      return { ok: true, result: shapeUnstructured(value) };
    } catch (error) {
      return invalidOutput((error as Error).message);
    }
  }
  // An explicit result (an isError result, or content beside the data) still has to honour the schema.
  if (isToolResult(value)) {
    if (value.isError === true) return { ok: true, result: value as never };
    const checked = tool.output.check(value.structuredContent);
    return checked.ok ? { ok: true, result: value as never } : invalidOutput(`structuredContent ${checked.message}`);
  }
  const checked = tool.output.check(value);
  return checked.ok ? { ok: true, result: shapeStructured(value as Record<string, unknown>) } : invalidOutput(checked.message);
}

/**
 * Runs one call: defaults and validation, the handler raced against the deadline and the
 * controller, result shaping. Always resolves to a response; never waits for a handler that ignores
 * its abort signal (its late result or error is dropped).
 */
export async function executeCall(tool: CompiledTool, args: unknown, options: ExecuteOptions): Promise<CallResponse> {
  const checked = tool.input.withDefaults(args);
  if (!checked.ok) {
    return failure(WireErrorCode.InvalidArguments, `invalid arguments for tool ${JSON.stringify(tool.name)}: ${checked.message}`);
  }
  const { controller, deadline } = options;
  const remaining = deadline - Date.now();
  if (remaining <= 0) {
    return failure(WireErrorCode.DeadlineExceeded, `the deadline of the call to ${JSON.stringify(tool.name)} had passed before it started`);
  }
  if (controller.signal.aborted) return abortedResponse(controller.signal.reason);

  const ctx = new CallContext({
    signal: controller.signal,
    callId: options.callId,
    deadline,
    nodeId: options.nodeId,
    tool: tool.name,
    meta: options.meta,
    logger: options.logger,
    notify: options.notify,
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<CallResponse>((resolve) => {
      onAbort = () => resolve(abortedResponse(controller.signal.reason));
      controller.signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => {
        const message = `tool ${JSON.stringify(tool.name)} did not finish within the call's deadline (${remaining} ms)`;
        controller.abort(new EasyRemoteError(WireErrorCode.DeadlineExceeded, message));
      }, remaining);
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(tool.handler(checked.value, ctx));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => resolve(controller.signal.aborted ? abortedResponse(controller.signal.reason) : shapeResult(tool, value)),
        (error: unknown) => resolve(controller.signal.aborted ? abortedResponse(controller.signal.reason) : thrownResponse(tool, error, options)),
      );
    });
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) controller.signal.removeEventListener('abort', onAbort);
    ctx.close();
  }
}
