import {
  decodeCallReply,
  EasyRemoteError,
  encodeUtf8,
  MESH_PROTOCOL_VERSION,
  ProtocolErrorCode,
  type CallRequest,
  type CallResponse,
} from '@easyremote/protocol';
import { SpanAttributes, tracingActive, withClientSpan } from '@easyremote/telemetry';
import type { RpcClient, RpcReply } from './rpc-client.js';

export interface InvokeToolOptions {
  /** How long to wait for the reply. */
  timeoutMs: number;
  /** Unique id of this call (logs, cancellation, audit). */
  callId: string;
  /** Absolute deadline the node enforces, epoch ms. Default: now + timeoutMs. */
  deadline?: number;
  /** Subject the node publishes progress and log notifications to. */
  notifySubject?: string;
  /** Extra headers (trace context, ...) sent with the request. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface InvokeToolResult {
  response: CallResponse;
  /** The node that ran the call (named in its reply). */
  nodeId: string;
}

/** A call envelope before invokeTool adds what it owns: the version, call id, deadline and notify subject. */
export type CallBody = Omit<CallRequest, 'v' | 'callId' | 'deadline' | 'notify'>;

/**
 * The request body: the envelope with the mesh protocol version and the call's id, deadline and
 * notify subject appended (they win over same-named fields of `request`, since JSON.parse keeps the
 * last). Spliced as text so the caller's object is neither copied nor changed.
 */
function encodeCall(request: CallBody, options: InvokeToolOptions): string {
  const json = JSON.stringify(request);
  const deadline = options.deadline ?? Date.now() + options.timeoutMs;
  const notify = options.notifySubject === undefined ? '' : `,"notify":${JSON.stringify(options.notifySubject)}`;
  return `${json.slice(0, -1)},"v":${MESH_PROTOCOL_VERSION},"callId":${JSON.stringify(options.callId)},"deadline":${deadline}${notify}}`;
}

const CALL_REPLY_PREFIX = '{"callId":"';

/**
 * Whether a reply is a CallReply for another call (a stray duplicate), judged on its bytes: a node
 * writes the call id first. Only that exact layout, with an id of plain ASCII, is judged; anything
 * else counts as this call's, and the decoded reply's `callId` is checked again after.
 */
export function namesAnotherCall(data: Uint8Array, callId: string): boolean {
  for (let i = 0; i < CALL_REPLY_PREFIX.length; i++) if (data[i] !== CALL_REPLY_PREFIX.charCodeAt(i)) return false;
  let at = CALL_REPLY_PREFIX.length;
  for (let i = 0; i < callId.length; i++) {
    const c = callId.charCodeAt(i);
    // Escaped or multi-byte in JSON: not judged here.
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) return false;
    if (data[at++] !== c) return true;
  }
  return data[at] !== 0x22;
}

/**
 * Sends one call envelope to a tool or node subject and decodes the reply. Transport failures reject
 * with a MeshError; a malformed reply rejects with PROTO_ERR_MALFORMED_MESSAGE; a tool failure is a
 * resolved `{ ok: false }` response, because it is an answer, not a transport problem.
 *
 * The call's metadata travels in the body (CallRequest `v`, `callId`, `deadline`, `notify`), so a
 * call without trace context or extra headers is a headerless message both ways. A reply of another
 * mesh protocol version rejects with PROTO_ERR_VERSION_MISMATCH.
 */
export function invokeTool(
  rpc: RpcClient,
  subject: string,
  request: CallBody,
  options: InvokeToolOptions,
): Promise<InvokeToolResult> {
  let body: Uint8Array;
  try {
    body = encodeUtf8(encodeCall(request, options));
  } catch (error) {
    return Promise.reject(error as Error); // arguments JSON cannot hold (a bigint, a cycle)
  }
  if (!tracingActive()) return exchange(rpc, subject, body, options, options.headers, undefined);

  // One CLIENT span per NATS request (a fan-out chunk is its own request); its context rides in the headers.
  const headers: Record<string, string> = { ...options.headers };
  const attributes = {
    [SpanAttributes.tool]: request.tool,
    [SpanAttributes.callId]: options.callId,
    [SpanAttributes.destination]: subject,
  };
  const name =
    request.chunk === undefined
      ? `call ${request.tool}`
      : `call ${request.tool} chunk ${request.chunk.index + 1}/${request.chunk.count}`;
  if (request.chunk !== undefined) Object.assign(attributes, { [SpanAttributes.chunk]: request.chunk.index });
  return withClientSpan(name, headers, (span) => exchange(rpc, subject, body, options, headers, span), attributes);
}

function exchange(
  rpc: RpcClient,
  subject: string,
  body: Uint8Array,
  options: InvokeToolOptions,
  headers: Record<string, string> | undefined,
  span: { setAttribute(key: string, value: string): unknown } | undefined,
): Promise<InvokeToolResult> {
  // The RpcClient asks whether a reply is this call's, before anything is decoded (see namesAnotherCall).
  const accept = (candidate: RpcReply): boolean => !namesAnotherCall(candidate.data, options.callId);
  return rpc
    .request(subject, body, { timeoutMs: options.timeoutMs, headers, signal: options.signal, accept })
    .then((reply) => {
      const { response, node, callId } = decodeCallReply(reply.data);
      if (callId !== options.callId) {
        throw new EasyRemoteError(
          ProtocolErrorCode.MalformedMessage,
          `the reply to call ${options.callId} names call ${JSON.stringify(callId)}`,
        );
      }
      span?.setAttribute(SpanAttributes.nodeId, node);
      return { response, nodeId: node };
    });
}
