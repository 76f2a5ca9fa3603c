import { encodeJson, Headers, WireErrorCode, type CallResponse, type Logger, type NodeRpcReply } from '@easyremote/protocol';
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { failure } from './wire-failure.js';

/** Header bytes of a reply beside the node id ("NATS/1.0", the header name, separators). */
const HEADER_OVERHEAD = 64;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export function replyHeaders(nodeId: string): MsgHdrs {
  const h = natsHeaders();
  h.set(Headers.nodeId, nodeId);
  return h;
}

export interface ReplyTarget {
  readonly nc: NatsConnection;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly replyHeaders: MsgHdrs;
}

/**
 * Answers one request message. A reply over the server's `max_payload` becomes
 * NODE_ERR_RESULT_TOO_LARGE, so the caller gets an answer instead of waiting for its timeout.
 */
export function sendReply(target: ReplyTarget, msg: Msg, response: CallResponse | NodeRpcReply): void {
  let data = encodeJson(response);
  const limit = target.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  if (data.length + HEADER_OVERHEAD + target.nodeId.length > limit) {
    const message = `the result is ${data.length} bytes, over the ${limit}-byte NATS message limit (headers included)`;
    data = encodeJson(failure(WireErrorCode.ResultTooLarge, message));
  }
  try {
    msg.respond(data, { headers: target.replyHeaders });
  } catch (error) {
    // The caller will time out; nothing else can be done for a reply NATS refuses.
    target.logger.warn({ err: error, subject: msg.subject }, 'could not send a reply');
  }
}
