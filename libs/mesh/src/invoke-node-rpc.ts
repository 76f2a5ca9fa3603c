import {
  decodeCallReply,
  decodeNodeRpcAnswer,
  EasyRemoteError,
  encodeJson,
  MESH_PROTOCOL_VERSION,
  nodeResumeSubject,
  nodeRpcSubject,
  ProtocolErrorCode,
  type CallResponse,
  type NodeRpcReply,
  type NodeRpcRequest,
} from '@easyremote/protocol';
import type { RpcClient } from './rpc-client.js';

/** An rpc request before invokeNodeRpc adds what it owns: the version, request id and deadline. */
export type NodeRpcBody = Omit<NodeRpcRequest, 'v' | 'callId' | 'deadline' | 'notify'>;

export interface NodeRequestOptions {
  /** Unique id of the request (admission, cancellation, resumes). */
  callId: string;
  timeoutMs: number;
  /** Absolute deadline the node enforces, epoch ms. Default: now + timeoutMs. */
  deadline?: number | undefined;
  /** Subject for notifications and 2025-era client requests. */
  notifySubject?: string | undefined;
  signal?: AbortSignal | undefined;
}

function sameCall(callId: string, answer: { callId: string }): void {
  if (answer.callId !== callId)
    throw new EasyRemoteError(
      ProtocolErrorCode.MalformedMessage,
      `the reply to request ${callId} names ${JSON.stringify(answer.callId)}`,
    );
}

function requestOptions(options: NodeRequestOptions): { timeoutMs: number; signal?: AbortSignal } {
  return { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
}

/**
 * Sends one rpc request (a read, a prompt, a completion, a fan-out plan or merge) to `nodes.<id>.rpc`
 * in the one call format and returns the node's `NodeRpcReply`. Rejects like invokeTool: a MeshError
 * for transport failures, PROTO_ERR_MALFORMED_MESSAGE for an unreadable reply or one naming another
 * request, PROTO_ERR_VERSION_MISMATCH for a node of another mesh protocol version.
 */
export async function invokeNodeRpc(
  rpc: RpcClient,
  nodeId: string,
  request: NodeRpcBody,
  options: NodeRequestOptions,
): Promise<NodeRpcReply> {
  const body: NodeRpcRequest = {
    ...request,
    v: MESH_PROTOCOL_VERSION,
    callId: options.callId,
    deadline: options.deadline ?? Date.now() + options.timeoutMs,
    ...(options.notifySubject === undefined ? {} : { notify: options.notifySubject }),
  };
  const reply = await rpc.request(nodeRpcSubject(nodeId), encodeJson(body), requestOptions(options));
  const answer = decodeNodeRpcAnswer(reply.data);
  sameCall(options.callId, answer);
  return answer.response;
}

/**
 * Sends a 2026-era retry's `inputResponses` to `nodes.<id>.resume` for the request parked there
 * under `callId`. The answer is a `CallResponse` for a tool call, a `NodeRpcReply` for an rpc
 * request (`rpc: true`).
 */
export async function resumeOnNode(
  rpc: RpcClient,
  nodeId: string,
  inputResponses: Record<string, unknown>,
  options: NodeRequestOptions & { rpc: true },
): Promise<NodeRpcReply>;
export async function resumeOnNode(
  rpc: RpcClient,
  nodeId: string,
  inputResponses: Record<string, unknown>,
  options: NodeRequestOptions & { rpc?: false },
): Promise<CallResponse>;
export async function resumeOnNode(
  rpc: RpcClient,
  nodeId: string,
  inputResponses: Record<string, unknown>,
  options: NodeRequestOptions & { rpc?: boolean },
): Promise<CallResponse | NodeRpcReply> {
  const body = encodeJson({ v: MESH_PROTOCOL_VERSION, callId: options.callId, inputResponses });
  const reply = await rpc.request(nodeResumeSubject(nodeId), body, requestOptions(options));
  const answer = options.rpc === true ? decodeNodeRpcAnswer(reply.data) : decodeCallReply(reply.data);
  sameCall(options.callId, answer);
  return answer.response;
}
