import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  CallNotification,
  CallReply,
  CallRequest,
  CallResponse,
  CancelCall,
  ClientReply,
  ClientRequest,
  NodeRpcReply,
  NodeRpcRequest,
  NodeRpcResponse,
  ResumeRequest,
} from './envelope.js';
import { NodeAdvert } from './advert.js';
import { EasyRemoteError } from './errors.js';

const decoder = new TextDecoder();

export const ProtocolErrorCode = {
  /** A message on the mesh was not valid JSON or did not match its envelope schema. */
  MalformedMessage: 'PROTO_ERR_MALFORMED_MESSAGE',
} as const;

/**
 * UTF-8 bytes of a string for a NATS message. `Buffer.from` takes short strings from Node's shared
 * pool: ~80 ns for a typical envelope against ~640 ns for `TextEncoder.encode`, which allocates an
 * ArrayBuffer per call — measurable on every message of the hot path. (The bytes are never written
 * to afterwards, so sharing the pool's backing store is safe.)
 */
export function encodeUtf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

export function encodeJson(value: unknown): Uint8Array {
  return encodeUtf8(JSON.stringify(value));
}

function parse(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new EasyRemoteError(ProtocolErrorCode.MalformedMessage, `${what} is not valid JSON`, { cause });
  }
}

function decoderFor<T>(schema: TSchema, what: string): (bytes: Uint8Array) => T {
  const validator = Compile(schema);
  return (bytes) => {
    const value = parse(bytes, what);
    if (!validator.Check(value)) {
      const first = validator.Errors(value)[0];
      const where = first ? `${first.instancePath || '/'}: ${first.message}` : 'schema mismatch';
      throw new EasyRemoteError(ProtocolErrorCode.MalformedMessage, `${what} is malformed (${where})`);
    }
    return value as T;
  };
}

export const decodeCallRequest = decoderFor<CallRequest>(CallRequest, 'call request');
export const decodeCallResponse = decoderFor<CallResponse>(CallResponse, 'call response');

const callReplyValidator = Compile(CallReply);
const callResponseValidator = Compile(CallResponse);

/** A node's answer to a call: the response, and the node and call ids when the body names them (`CallReply`). */
export interface DecodedCallAnswer {
  response: CallResponse;
  node: string | undefined;
  callId: string | undefined;
}

/**
 * Decodes the answer to a call request, in either form a node sends: a `CallReply` (the request
 * carried its `callId` in the body) or a bare `CallResponse` (older callers, and failures a node
 * answers before it could read the body). Throws PROTO_ERR_MALFORMED_MESSAGE like the other decoders.
 */
export function decodeCallAnswer(bytes: Uint8Array): DecodedCallAnswer {
  const value = parse(bytes, 'call response');
  const wrapped = typeof value === 'object' && value !== null && !('ok' in value);
  const validator = wrapped ? callReplyValidator : callResponseValidator;
  if (!validator.Check(value)) {
    const first = validator.Errors(value)[0];
    const where = first ? `${first.instancePath || '/'}: ${first.message}` : 'schema mismatch';
    throw new EasyRemoteError(ProtocolErrorCode.MalformedMessage, `call response is malformed (${where})`);
  }
  if (!wrapped) return { response: value as CallResponse, node: undefined, callId: undefined };
  const reply = value as CallReply;
  return { response: reply.response, node: reply.node, callId: reply.callId };
}
export const decodeNodeAdvert = decoderFor<NodeAdvert>(NodeAdvert, 'node advert');
export const decodeCallNotification = decoderFor<CallNotification>(CallNotification, 'call notification');
export const decodeClientRequest = decoderFor<ClientRequest>(ClientRequest, 'client request');
export const decodeClientReply = decoderFor<ClientReply>(ClientReply, 'client reply');
export const decodeResumeRequest = decoderFor<ResumeRequest>(ResumeRequest, 'resume request');
export const decodeNodeRpcRequest = decoderFor<NodeRpcRequest>(NodeRpcRequest, 'node rpc request');
export const decodeNodeRpcResponse = decoderFor<NodeRpcResponse>(NodeRpcResponse, 'node rpc response');
export const decodeNodeRpcReply = decoderFor<NodeRpcReply>(NodeRpcReply, 'node rpc reply');
export const decodeCancelCall = decoderFor<CancelCall>(CancelCall, 'cancel');
