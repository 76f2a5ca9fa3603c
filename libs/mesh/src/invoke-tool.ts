import { Headers, MESH_PROTOCOL_VERSION, decodeCallResponse, encodeJson, type CallRequest, type CallResponse } from '@easyremote/protocol';
import { SpanAttributes, withClientSpan } from '@easyremote/telemetry';
import type { RpcClient } from './rpc-client.js';

export interface InvokeToolOptions {
  /** How long to wait for the reply. */
  timeoutMs: number;
  /** Unique id of this call (logs, cancellation, audit). */
  callId: string;
  /** Absolute deadline the node enforces, epoch ms. Default: now + timeoutMs. */
  deadline?: number;
  /** Subject the node publishes progress and log notifications to. */
  notifySubject?: string;
  /** Extra headers (trace context, ...); the protocol headers above win over these. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface InvokeToolResult {
  response: CallResponse;
  /** The node that ran the call (`Er-Node-Id` on the reply), when it said. */
  nodeId: string | undefined;
}

const VERSION = String(MESH_PROTOCOL_VERSION);

/**
 * Sends one call envelope to a tool or node subject and decodes the reply. Transport failures reject
 * with a MeshError; a malformed reply rejects with PROTO_ERR_MALFORMED_MESSAGE; a tool failure is a
 * resolved `{ ok: false }` response, because it is an answer, not a transport problem.
 */
export async function invokeTool(rpc: RpcClient, subject: string, request: CallRequest, options: InvokeToolOptions): Promise<InvokeToolResult> {
  const headers: Record<string, string> = {
    ...options.headers,
    [Headers.callId]: options.callId,
    [Headers.deadline]: String(options.deadline ?? Date.now() + options.timeoutMs),
    [Headers.version]: VERSION,
  };
  if (options.notifySubject !== undefined) headers[Headers.notify] = options.notifySubject;

  // One CLIENT span per NATS request (a fan-out chunk is its own request); its context rides in the headers.
  const attributes = { [SpanAttributes.tool]: request.tool, [SpanAttributes.callId]: options.callId, [SpanAttributes.destination]: subject };
  const name = request.chunk === undefined ? `call ${request.tool}` : `call ${request.tool} chunk ${request.chunk.index + 1}/${request.chunk.count}`;
  if (request.chunk !== undefined) Object.assign(attributes, { [SpanAttributes.chunk]: request.chunk.index });
  return withClientSpan(name, headers, async (span) => {
    const reply = await rpc.request(subject, encodeJson(request), {
      timeoutMs: options.timeoutMs,
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const nodeId = reply.header(Headers.nodeId);
    if (nodeId !== undefined) span.setAttribute(SpanAttributes.nodeId, nodeId);
    return { response: decodeCallResponse(reply.data), nodeId };
  }, attributes);
}
