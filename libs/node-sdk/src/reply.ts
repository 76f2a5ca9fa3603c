import {
  encodeJson,
  encodeUtf8,
  Headers,
  WireErrorCode,
  type CallResponse,
  type Logger,
  type NodeRpcReply,
} from '@easyremote/protocol';
import { constantHeaders, type PayloadStore } from '@easyremote/mesh';
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { failure } from './wire-failure.js';

/** Header bytes of a reply beside the node id ("NATS/1.0", the header name, separators). */
const HEADER_OVERHEAD = 64;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export function replyHeaders(nodeId: string): MsgHdrs {
  const h = natsHeaders();
  h.set(Headers.nodeId, nodeId);
  // The same header on every reply: encoded once when the process switched the wire deviations on.
  return constantHeaders(h);
}

export interface ReplyTarget {
  readonly nc: NatsConnection;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly replyHeaders: MsgHdrs;
  /** Where replies over max_payload go (`Er-Payload`); without it they become NODE_ERR_RESULT_TOO_LARGE. */
  readonly payloads?: PayloadStore | undefined;
}

/** The reply body: the response, or — `inlineFor` a call id — a `CallReply` naming this node and the call. */
function encodeReply(
  target: ReplyTarget,
  response: CallResponse | NodeRpcReply,
  inlineFor: string | undefined,
): Uint8Array {
  if (inlineFor === undefined) return encodeJson(response);
  // The call id comes first: a caller tells its reply from a stray one by these first bytes.
  return encodeUtf8(
    `{"callId":${JSON.stringify(inlineFor)},"node":${JSON.stringify(target.nodeId)},"response":${JSON.stringify(response)}}`,
  );
}

/**
 * Answers one request message: with the response and an `Er-Node-Id` header, or — `inlineFor`, the
 * `callId` of a call request that carried it in the body — with a headerless `CallReply`. A reply over
 * the server's `max_payload` goes through the payload object store (`Er-Payload`) up to the store's
 * limit; beyond it, or without a store, it becomes NODE_ERR_RESULT_TOO_LARGE, so the caller gets an
 * answer instead of waiting for its timeout.
 */
export function sendReply(
  target: ReplyTarget,
  msg: Msg,
  response: CallResponse | NodeRpcReply,
  inlineFor?: string,
): void {
  let data = encodeReply(target, response, inlineFor);
  const limit = target.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  if (data.length + HEADER_OVERHEAD + target.nodeId.length > limit) {
    const store = target.payloads;
    if (store !== undefined && data.length <= store.maxBytes) {
      void offload(target, store, msg, data);
      return;
    }
    const message =
      store === undefined
        ? `the result is ${data.length} bytes, over the ${limit}-byte NATS message limit (headers included), and no payload store is reachable`
        : `the result is ${data.length} bytes, over the node's ${store.maxBytes}-byte payload limit`;
    data = encodeReply(
      target,
      failure(WireErrorCode.ResultTooLarge, message, { size: data.length, limit: store?.maxBytes ?? limit }),
      inlineFor,
    );
  }
  respond(target, msg, data, inlineFor === undefined ? target.replyHeaders : undefined);
}

async function offload(target: ReplyTarget, store: PayloadStore, msg: Msg, data: Uint8Array): Promise<void> {
  let name: string;
  try {
    name = await store.put(data, 'result');
  } catch (error) {
    target.logger.warn({ err: error, bytes: data.length }, 'could not offload a large result');
    respond(
      target,
      msg,
      encodeJson(
        failure(
          WireErrorCode.ResultTooLarge,
          `the ${data.length}-byte result could not be stored: ${(error as Error).message}`,
        ),
      ),
      target.replyHeaders,
    );
    return;
  }
  const h = natsHeaders();
  h.set(Headers.nodeId, target.nodeId);
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
