import {
  callIdOf,
  decodeNodeRpcRequest,
  type NodeRpcReply,
  type NodeRpcRequest,
  WireErrorCode,
} from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';
import { CallSession } from './call-session.js';
import { clientAccess } from './client-access.js';
import { complete } from './complete.js';
import { mergeFanout, planFanout } from './fanout-rpc.js';
import { getPrompt, readResource, isRecord, type RpcEnv } from './rpc-operations.js';
import { withBody, sendReply } from './message-bodies.js';
import type { NodeRuntime } from './node-runtime.js';
import { admit, isFailure, notifier } from './serve-call.js';
import { failure, headerVersionMismatch, undecodableRequest } from './wire-failure.js';

const OPERATIONS: Readonly<
  Record<NodeRpcRequest['method'], (env: RpcEnv, params: Readonly<Record<string, unknown>>) => Promise<NodeRpcReply>>
> = {
  'resources/read': readResource,
  'prompts/get': getPrompt,
  'completion/complete': complete,
  'fanout/plan': planFanout,
  'fanout/merge': mergeFanout,
};

/**
 * Handles `nodes.<id>.rpc`: resource reads, prompts and completions. They are admitted, timed,
 * cancelled and counted like tool calls (the body's `callId`, `deadline`, `notify`), and every path
 * replies, with a `CallReply` holding a `NodeRpcReply`. With a `client` in the request, reads and prompts can ask it for input, and a
 * 2026-era one may get `inputRequired` and resume like a tool call.
 */
export function handleRpc(runtime: NodeRuntime, msg: Msg): void {
  if (!msg.reply) {
    runtime.logger.warn({ subject: msg.subject }, 'dropped an rpc request without a reply subject');
    return;
  }
  withBody(
    runtime.payloads,
    msg,
    (declined) => sendReply(runtime, msg, declined, callIdOf(msg.data)),
    (data) => serveRpc(runtime, msg, data),
  );
}

function serveRpc(runtime: NodeRuntime, msg: Msg, data: Uint8Array): void {
  let request: NodeRpcRequest;
  try {
    request = decodeNodeRpcRequest(data);
  } catch (error) {
    return sendReply(runtime, msg, undecodableRequest(runtime.nodeId, error), callIdOf(data));
  }
  const versionProblem = headerVersionMismatch(runtime.nodeId, msg);
  if (versionProblem !== undefined) return sendReply(runtime, msg, versionProblem, request.callId);
  const admitted = admit(runtime, runtime.defaultTimeoutMs, request);
  if (isFailure(admitted)) return sendReply(runtime, msg, admitted, request.callId);

  const { callId, deadline, notifySubject } = admitted;
  // Reads and prompts may ask the client for input, like tool calls, when the request names the client.
  const canAsk =
    request.client !== undefined && (request.method === 'resources/read' || request.method === 'prompts/get');
  const session = new CallSession(runtime, msg, callId, deadline, canAsk && request.client?.era === '2026-07-28');
  const meta = request.params._meta;
  const env: RpcEnv = {
    catalog: runtime.catalog,
    controller: session.controller,
    deadline,
    callId,
    nodeId: runtime.nodeId,
    logger: runtime.logger,
    notify: notifySubject === undefined ? undefined : notifier(runtime, notifySubject, callId),
    meta: isRecord(meta) ? meta : undefined,
    client: canAsk ? clientAccess(runtime, request.client, session, notifySubject, deadline) : undefined,
    caller: request.caller,
  };
  OPERATIONS[request.method](env, request.params)
    .then((response) => session.finish(response))
    .catch((error: unknown) => session.finish(failure(WireErrorCode.HandlerFailed, (error as Error).message)));
}
