import { WireErrorCode, type CallerIdentity, type CallResponse, type Logger } from '@easyremote/protocol';
import type { CompiledTool } from './define-tool.js';
import type { DeadlineWatch } from './deadline-watch.js';
import type { ChunkInfo } from './tool-context.js';
import { startHandler, type HandlerOutcome } from './run-handler.js';
import { CallContext, type ClientAccess, type NotificationSink, type TaskControl } from './tool-context.js';
import { isToolResult, shapeStructured, shapeUnstructured } from './tool-result.js';
import { failure } from './wire-failure.js';

export interface ExecuteOptions {
  callId: string;
  nodeId: string;
  /** Absolute deadline, epoch ms. The controller is aborted when it passes. */
  deadline: number;
  meta: Readonly<Record<string, unknown>> | undefined;
  logger: Logger;
  notify: NotificationSink | undefined;
  /** How the handler's elicit/sample/listRoots reach the client; absent: they fail. */
  client?: ClientAccess | undefined;
  /**
   * Aborting it ends the call at once; an EasyRemoteError reason supplies the wire code (the node
   * aborts with NODE_ERR_SHUTTING_DOWN on stop, NODE_ERR_CANCELLED on a cancel).
   */
  controller: AbortController;
  /** Which chunk of a fan-out this call runs (`ctx.chunk`). */
  chunk?: ChunkInfo | undefined;
  /** Who the call is for (`ctx.caller`). */
  caller?: CallerIdentity | undefined;
  /** The node's shared deadline timer; without it the call gets a timer of its own. */
  deadlines?: DeadlineWatch | undefined;
  /** Set when the call runs as a durable task (`ctx.task`, `ctx.startTask()`). */
  task?: TaskControl | undefined;
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
  return checked.ok
    ? { ok: true, result: shapeStructured(value as Record<string, unknown>) }
    : invalidOutput(checked.message);
}

/**
 * Runs one call: defaults and validation, the handler raced against the deadline and the
 * controller, result shaping. Always resolves to a response; never waits for a handler that ignores
 * its abort signal (its late result or error is dropped).
 */
export function executeCall(tool: CompiledTool, args: unknown, options: ExecuteOptions): Promise<CallResponse> {
  try {
    return Promise.resolve(startCall(tool, args, options));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/**
 * `executeCall` without a promise when the handler answers synchronously: the response comes back
 * at once (see startHandler). May throw where `executeCall` would reject (a result JSON cannot hold).
 */
export function startCall(
  tool: CompiledTool,
  args: unknown,
  options: ExecuteOptions,
): CallResponse | Promise<CallResponse> {
  const checked = tool.input.withDefaults(args);
  if (!checked.ok) {
    return failure(
      WireErrorCode.InvalidArguments,
      `invalid arguments for tool ${JSON.stringify(tool.name)}: ${checked.message}`,
    );
  }
  const ctx = new CallContext({
    signal: options.controller.signal,
    callId: options.callId,
    deadline: options.deadline,
    nodeId: options.nodeId,
    operation: tool.name,
    meta: options.meta,
    logger: options.logger,
    notify: options.notify,
    client: options.client,
    chunk: options.chunk,
    caller: options.caller,
    task: options.task,
  });
  const finish = (outcome: HandlerOutcome): CallResponse => {
    try {
      return outcome.ok ? shapeResult(tool, outcome.value) : outcome;
    } finally {
      ctx.close();
    }
  };
  let outcome: HandlerOutcome | Promise<HandlerOutcome>;
  try {
    outcome = startHandler(() => tool.handler(checked.value, ctx), {
      controller: options.controller,
      deadline: options.deadline,
      what: `tool ${JSON.stringify(tool.name)}`,
      logger: options.logger,
      logFields: { callId: options.callId, tool: tool.name },
      deadlines: options.deadlines,
    });
  } catch (error) {
    ctx.close();
    throw error;
  }
  if (!(outcome instanceof Promise)) return finish(outcome);
  return outcome.then(finish, (error: unknown) => {
    ctx.close();
    throw error;
  });
}
