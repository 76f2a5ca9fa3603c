import { decodeCallRequest, encodeJson, Headers, WireErrorCode, type CallRequest, type CallResponse, type Logger } from '@easyremote/protocol';
import { headers as natsHeaders, nuid, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import type { CompiledTool } from './define-tool.js';
import { executeCall } from './execute-call.js';

/** Header bytes of a reply beside the node id ("NATS/1.0", the header name, separators). */
const HEADER_OVERHEAD = 64;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The node state the hot path reads; owned and mutated by ComputeNode. */
export interface CallState {
  readonly nc: NatsConnection;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly maxConcurrency: number;
  readonly defaultTimeoutMs: number;
  readonly tools: ReadonlyMap<string, CompiledTool>;
  /** One controller per running call; its size is the node's in-flight count. */
  readonly active: Set<AbortController>;
  accepting: boolean;
  /** Called whenever a call ends, so stop() can wait for the node to drain. */
  onCallEnd: (() => void) | undefined;
}

/** Reused for every reply: nats.js encodes headers when publishing, so one immutable set is safe. */
export function replyHeaders(nodeId: string): MsgHdrs {
  const h = natsHeaders();
  h.set(Headers.nodeId, nodeId);
  return h;
}

function failure(code: string, message: string): CallResponse {
  return { ok: false, error: { code, message } };
}

function respond(state: CallState, msg: Msg, hdrs: MsgHdrs, response: CallResponse): void {
  let data = encodeJson(response);
  const limit = state.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  if (data.length + HEADER_OVERHEAD + state.nodeId.length > limit) {
    const message = `the result is ${data.length} bytes, over the ${limit}-byte NATS message limit (headers included)`;
    data = encodeJson(failure(WireErrorCode.ResultTooLarge, message));
  }
  try {
    msg.respond(data, { headers: hdrs });
  } catch (error) {
    // The caller will time out; nothing else can be done for a reply NATS refuses.
    state.logger.warn({ err: error, subject: msg.subject }, 'could not send a call reply');
  }
}

function parseDeadline(value: string | undefined): number {
  if (value === undefined || value === '') return Number.POSITIVE_INFINITY;
  const deadline = Number(value);
  return Number.isFinite(deadline) ? deadline : Number.POSITIVE_INFINITY;
}

/**
 * Handles one message on `tools.<token>` (`subjectTool` set: the body must name that tool, so a
 * caller allowed to publish on one tool's subject cannot reach another) or `nodes.<id>.call`.
 * Every path replies, so a caller never waits for its timeout because of a node-side failure.
 */
export function handleCall(state: CallState, hdrs: MsgHdrs, msg: Msg, subjectTool: string | undefined): void {
  if (!msg.reply) {
    state.logger.warn({ subject: msg.subject }, 'dropped a call without a reply subject');
    return;
  }
  if (!state.accepting) return respond(state, msg, hdrs, failure(WireErrorCode.ShuttingDown, `node ${state.nodeId} is shutting down`));
  let request: CallRequest;
  try {
    request = decodeCallRequest(msg.data);
  } catch (error) {
    return respond(state, msg, hdrs, failure(WireErrorCode.BadRequest, (error as Error).message));
  }
  if (subjectTool !== undefined && request.tool !== subjectTool) {
    const message = `a call on the subject of tool ${JSON.stringify(subjectTool)} names tool ${JSON.stringify(request.tool)}`;
    return respond(state, msg, hdrs, failure(WireErrorCode.BadRequest, message));
  }
  const tool = state.tools.get(request.tool);
  if (tool === undefined) {
    return respond(state, msg, hdrs, failure(WireErrorCode.ToolNotFound, `node ${state.nodeId} does not serve tool ${JSON.stringify(request.tool)}`));
  }
  if (state.active.size >= state.maxConcurrency) {
    const message = `node ${state.nodeId} is at its concurrency limit (maxConcurrency ${state.maxConcurrency})`;
    return respond(state, msg, hdrs, failure(WireErrorCode.Overloaded, message));
  }

  const callHeaders = msg.headers;
  const callId = callHeaders?.get(Headers.callId) || nuid.next();
  const notifySubject = callHeaders?.get(Headers.notify) || undefined;
  const deadline = Math.min(parseDeadline(callHeaders?.get(Headers.deadline)), Date.now() + (tool.timeoutMs ?? state.defaultTimeoutMs));
  const controller = new AbortController();
  state.active.add(controller);
  executeCall(tool, request.arguments, {
    callId,
    nodeId: state.nodeId,
    deadline,
    meta: request.meta,
    logger: state.logger,
    notify: notifySubject === undefined ? undefined : notifier(state, notifySubject, callId),
    controller,
  })
    .then((response) => respond(state, msg, hdrs, response))
    .catch((error: unknown) => respond(state, msg, hdrs, failure(WireErrorCode.HandlerFailed, (error as Error).message)))
    .finally(() => {
      state.active.delete(controller);
      state.onCallEnd?.();
    });
}

function notifier(state: CallState, subject: string, callId: string): (notification: unknown) => void {
  const h = natsHeaders();
  h.set(Headers.callId, callId);
  return (notification) => state.nc.publish(subject, encodeJson(notification), { headers: h });
}
