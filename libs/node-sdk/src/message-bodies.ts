import { isMeshError, MeshErrorCode, type PayloadStore } from '@easyremote/mesh';
import {
  type CallResponse,
  encodeUtf8,
  Headers,
  type Logger,
  MESH_PROTOCOL_VERSION,
  type NodeRpcReply,
  WireErrorCode,
} from '@easyremote/protocol';
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { failure, type Failure } from './wire-failure.js';

/**
 * A request's body: the message data, or — when the `Er-Payload` header says it was too large for one
 * NATS message — the object it names in the payload store. Calls `serve` with the bytes, or answers
 * the failure: an offloaded body over this node's limit, missing, or with no store to read it from.
 */
export function withBody(
  payloads: PayloadStore | undefined,
  msg: Msg,
  reply: (failure: Failure) => void,
  serve: (data: Uint8Array) => void,
): void {
  const name = msg.headers?.has(Headers.payload) ? msg.headers.get(Headers.payload) : '';
  if (name === '') return serve(msg.data);
  if (payloads === undefined)
    return reply(
      failure(WireErrorCode.BadRequest, 'the request body is in the payload store, which this node cannot reach'),
    );
  const size = Number(msg.headers?.get(Headers.payloadSize));
  payloads.take(name, Number.isFinite(size) ? size : undefined, 'request').then(serve, (error: unknown) => {
    if (isMeshError(error, MeshErrorCode.PayloadTooLarge))
      return reply(
        failure(WireErrorCode.PayloadTooLarge, (error as Error).message, (error as { data?: unknown }).data),
      );
    reply(failure(WireErrorCode.BadRequest, (error as Error).message));
  });
}

/** Header bytes of an offloaded reply ("NATS/1.0", the payload headers and separators). */
const HEADER_OVERHEAD = 128;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export interface ReplyTarget {
  readonly nc: NatsConnection;
  readonly nodeId: string;
  readonly logger: Logger;
  /** Where replies over max_payload go (`Er-Payload`); without it they become NODE_ERR_RESULT_TOO_LARGE. */
  readonly payloads?: PayloadStore | undefined;
}

/**
 * The one reply form (`CallReply`): the call id first — a caller tells its reply from a stray one by
 * these first bytes — then the mesh protocol version, this node and the response.
 */
function encodeReply(target: ReplyTarget, response: CallResponse | NodeRpcReply, callId: string): Uint8Array {
  return encodeUtf8(
    `{"callId":${JSON.stringify(callId)},"v":${MESH_PROTOCOL_VERSION},"node":${JSON.stringify(target.nodeId)},"response":${JSON.stringify(response)}}`,
  );
}

/**
 * Answers one request message (a call, an rpc request, a resume) with a headerless `CallReply` for
 * `callId` (empty when the request was too broken to name one). A reply over the server's
 * `max_payload` goes through the payload object store (`Er-Payload`) up to the store's limit; beyond
 * it, or without a store, it becomes NODE_ERR_RESULT_TOO_LARGE, so the caller gets an answer instead
 * of waiting for its timeout.
 */
export function sendReply(target: ReplyTarget, msg: Msg, response: CallResponse | NodeRpcReply, callId: string): void {
  let data = encodeReply(target, response, callId);
  const limit = target.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  if (data.length + HEADER_OVERHEAD > limit) {
    const store = target.payloads;
    if (store !== undefined && data.length <= store.maxBytes) {
      void offload(target, store, msg, data, callId);
      return;
    }
    const message =
      store === undefined
        ? `the result is ${data.length} bytes, over the ${limit}-byte NATS message limit (headers included), and no payload store is reachable`
        : `the result is ${data.length} bytes, over the node's ${store.maxBytes}-byte payload limit`;
    data = encodeReply(
      target,
      failure(WireErrorCode.ResultTooLarge, message, { size: data.length, limit: store?.maxBytes ?? limit }),
      callId,
    );
  }
  respond(target, msg, data, undefined);
}

async function offload(
  target: ReplyTarget,
  store: PayloadStore,
  msg: Msg,
  data: Uint8Array,
  callId: string,
): Promise<void> {
  let name: string;
  try {
    name = await store.put(data, 'result');
  } catch (error) {
    target.logger.warn({ err: error, bytes: data.length }, 'could not offload a large result');
    const message = `the ${data.length}-byte result could not be stored: ${(error as Error).message}`;
    respond(target, msg, encodeReply(target, failure(WireErrorCode.ResultTooLarge, message), callId), undefined);
    return;
  }
  // The stored object is the CallReply itself; the message only says where it waits.
  const h = natsHeaders();
  h.set(Headers.payload, name);
  h.set(Headers.payloadSize, String(data.length));
  respond(target, msg, new Uint8Array(0), h);
}

function respond(target: ReplyTarget, msg: Msg, data: Uint8Array, headers: MsgHdrs | undefined): void {
  try {
    msg.respond(data, headers === undefined ? undefined : { headers });
  } catch (error) {
    // The caller will time out; nothing else can be done for a reply NATS refuses.
    target.logger.warn({ err: error, subject: msg.subject }, 'could not send a reply');
  }
}
