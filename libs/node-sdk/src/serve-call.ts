import {
  callIdOf,
  type CallNotification,
  type CallRequest,
  type CallResponse,
  decodeCallRequest,
  encodeJson,
  Headers,
  WireErrorCode,
} from '@easyremote/protocol';
import { SpanAttributes, tracingActive, withServerSpan, withSpan } from '@easyremote/telemetry';
import { headers as natsHeaders, type Msg } from '@nats-io/nats-core';
import { CallSession } from './call-session.js';
import type { CompiledTool } from './define-tool.js';
import { clientAccess } from './client-access.js';
import { executeCall, type ExecuteOptions, startCall } from './execute-call.js';
import { withBody, sendReply } from './message-bodies.js';
import type { FinishedCall, NodeRuntime } from './node-runtime.js';
import { failure, type Failure, headerVersionMismatch, undecodableRequest } from './wire-failure.js';

/**
 * Handles one message on `tools.<token>` (`subjectTool` set: the body must name that tool, so a
 * caller allowed to publish on one tool's subject cannot reach another) or `nodes.<id>.call`.
 * Every path replies, so a caller never waits for its timeout because of a node-side failure.
 */
export function handleCall(runtime: NodeRuntime, msg: Msg, subjectTool: string | undefined): void {
  if (!msg.reply) {
    runtime.logger.warn({ subject: msg.subject }, 'dropped a call without a reply subject');
    return;
  }
  withBody(
    runtime.payloads,
    msg,
    (declined) => sendReply(runtime, msg, declined, callIdOf(msg.data)),
    (data) => serveCall(runtime, msg, subjectTool, data),
  );
}

/** Admission → session → execute → reply, for one decoded call request. */
function serveCall(runtime: NodeRuntime, msg: Msg, subjectTool: string | undefined, data: Uint8Array): void {
  let request: CallRequest;
  try {
    request = decodeCallRequest(data);
  } catch (error) {
    return sendReply(runtime, msg, undecodableRequest(runtime.nodeId, error), callIdOf(data));
  }
  const inline = request.callId;
  const versionProblem = headerVersionMismatch(runtime.nodeId, msg);
  if (versionProblem !== undefined) return sendReply(runtime, msg, versionProblem, inline);
  const stopping = runtime.calls.stoppingRefusal();
  if (stopping !== undefined) return sendReply(runtime, msg, stopping, inline);
  if (subjectTool !== undefined && request.tool !== subjectTool) {
    const message = `a call on the subject of tool ${JSON.stringify(subjectTool)} names tool ${JSON.stringify(request.tool)}`;
    return sendReply(runtime, msg, failure(WireErrorCode.BadRequest, message), inline);
  }
  const tool = runtime.catalog.tool(request.tool);
  if (tool === undefined) {
    return sendReply(
      runtime,
      msg,
      failure(WireErrorCode.ToolNotFound, `node ${runtime.nodeId} does not serve tool ${JSON.stringify(request.tool)}`),
      inline,
    );
  }
  if (request.task !== undefined && tool.task !== undefined) {
    const taskRef = request.task;
    // The task store is bound before the call starts: a task nobody could follow is refused instead.
    runtime.tasks
      .ready()
      .then(
        () => startServing(runtime, msg, request, tool, taskRef),
        (error: unknown) =>
          sendReply(
            runtime,
            msg,
            failure(
              WireErrorCode.TaskStoreFailed,
              `node ${runtime.nodeId} cannot reach the task store: ${(error as Error).message}`,
            ),
            inline,
          ),
      )
      .catch((error: unknown) => runtime.logger.error({ err: error, callId: inline }, 'could not serve a task call'));
    return;
  }
  startServing(runtime, msg, request, tool, undefined);
}

/** Admission → session → execute → reply (or, for a task, the task's states). */
function startServing(
  runtime: NodeRuntime,
  msg: Msg,
  request: CallRequest,
  tool: CompiledTool,
  taskRef: CallRequest['task'],
): void {
  const inline = request.callId;
  const admitted = admit(runtime, tool.timeoutMs ?? runtime.defaultTimeoutMs, request);
  if (isFailure(admitted)) {
    if (admitted.error.code === WireErrorCode.Overloaded) runtime.load.decline();
    return sendReply(runtime, msg, admitted, inline);
  }

  const { callId, deadline, notifySubject } = admitted;
  const started = performance.now();
  const task =
    taskRef === undefined
      ? undefined
      : {
          id: taskRef.id,
          recordStart: taskRef.recordStart === true,
          write: (seq: number, response: CallResponse | undefined) =>
            runtime.tasks.write(taskRef.id, callId, seq, response),
        };
  // A task is resumed with its input whatever the client's era (2025-11-25 answers through tasks/result).
  const resumable = request.client?.era === '2026-07-28' || task !== undefined;
  const session = new CallSession(runtime, msg, callId, deadline, resumable, task);
  // A fan-out's chunk starts at once whatever the tool says: its start must be stored before it runs on.
  if (task !== undefined && (tool.task?.start === 'immediately' || task.recordStart)) session.startTask();
  const options: ExecuteOptions = {
    callId,
    nodeId: runtime.nodeId,
    deadline,
    meta: request.meta,
    logger: runtime.logger,
    notify: notifySubject === undefined ? undefined : notifier(runtime, notifySubject, callId),
    client: clientAccess(runtime, request.client, session, notifySubject, deadline),
    controller: session.controller,
    chunk: request.chunk,
    caller: request.caller,
    deadlines: runtime.deadlines,
    task: session.task,
  };
  const done = (response: CallResponse): void => finishCall(runtime, session, request.tool, started, response);
  if (!tracingActive()) {
    // A synchronous handler is answered within this callback: no promise, and the replies to every
    // message of one socket read leave in one write.
    let outcome: CallResponse | Promise<CallResponse>;
    try {
      outcome = startCall(tool, request.arguments, options);
    } catch (error) {
      outcome = handlerFailed(error);
    }
    if (outcome instanceof Promise) outcome.then(done, (error: unknown) => done(handlerFailed(error)));
    else done(outcome);
    return;
  }
  const failed = (error: unknown): void => done(handlerFailed(error));
  // SERVER span continuing the caller's trace (traceparent header), with the handler as its child span.
  const attributes: Record<string, string> = {
    [SpanAttributes.tool]: request.tool,
    [SpanAttributes.nodeId]: runtime.nodeId,
    [SpanAttributes.callId]: callId,
  };
  if (request.chunk !== undefined) attributes[SpanAttributes.chunk] = String(request.chunk.index);
  void withServerSpan(
    `serve ${request.tool}`,
    msg.headers,
    () => withSpan(`handler ${request.tool}`, () => executeCall(tool, request.arguments, options)).then(done, failed),
    attributes,
  );
}

function handlerFailed(error: unknown): CallResponse {
  return failure(WireErrorCode.HandlerFailed, (error as Error).message);
}

/** The end of a tool call: load statistics, the reply (or the held outcome), observers. */
function finishCall(
  runtime: NodeRuntime,
  session: CallSession,
  tool: string,
  started: number,
  response: CallResponse,
): void {
  const durationMs = performance.now() - started;
  runtime.load.record(durationMs, response);
  session.finish(response);
  if (runtime.callObservers.size > 0)
    observe(runtime, {
      tool,
      durationMs,
      ok: response.ok && !isErrorResult(response),
      errorCode: errorCodeOf(response),
    });
}

export function notifier(
  runtime: NodeRuntime,
  subject: string,
  callId: string,
): (notification: CallNotification) => void {
  // Headers are built on the first notification: most calls send none, and every gateway call names a subject.
  let h: ReturnType<typeof natsHeaders> | undefined;
  return (notification) => {
    if (h === undefined) {
      h = natsHeaders();
      h.set(Headers.callId, callId);
    }
    runtime.nc.publish(subject, encodeJson(notification), { headers: h });
  };
}

function isErrorResult(response: CallResponse): boolean {
  return response.ok && 'result' in response && (response.result as { isError?: unknown }).isError === true;
}

function errorCodeOf(response: CallResponse): string | undefined {
  if (!response.ok) return response.error.code;
  return isErrorResult(response) ? 'tool_error' : undefined;
}

function observe(runtime: NodeRuntime, call: FinishedCall): void {
  for (const observer of runtime.callObservers) {
    try {
      observer(call);
    } catch (error) {
      runtime.logger.warn({ err: error }, 'call observer failed');
    }
  }
}

export interface Admitted {
  callId: string;
  /** Absolute deadline: the caller's, capped at now + `timeoutMs`. */
  deadline: number;
  /** The caller's notify subject, when it wants notifications (and 2025-era client requests). */
  notifySubject: string | undefined;
}

/** The call metadata every request carries in its body (CallRequest and NodeRpcRequest `callId`, `deadline`, `notify`). */
export interface CallMetadata {
  callId: string;
  deadline?: number | undefined;
  notify?: string | undefined;
}

/**
 * The checks every new request passes before a handler runs (a node that stops, the concurrency
 * limit, a call id already running here), and its call id, deadline and notify subject. Returns the
 * failure to answer with when the request is declined.
 */
export function admit(runtime: NodeRuntime, timeoutMs: number, request: CallMetadata): Admitted | Failure {
  const { callId } = request;
  const refused = runtime.calls.refusal(callId);
  if (refused !== undefined) return refused;
  const deadline = request.deadline ?? Number.POSITIVE_INFINITY;
  return { callId, deadline: Math.min(deadline, Date.now() + timeoutMs), notifySubject: request.notify };
}

export function isFailure(value: Admitted | Failure): value is Failure {
  return 'ok' in value;
}
