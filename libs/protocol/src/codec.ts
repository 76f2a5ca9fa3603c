import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { CallNotification, CallRequest, CallResponse, CancelCall, ClientReply, ClientRequest, NodeRpcReply, NodeRpcRequest, NodeRpcResponse, ResumeRequest } from './envelope.js';
import { NodeAdvert } from './advert.js';
import { EasyRemoteError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const ProtocolErrorCode = {
  /** A message on the mesh was not valid JSON or did not match its envelope schema. */
  MalformedMessage: 'PROTO_ERR_MALFORMED_MESSAGE',
} as const;

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
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
export const decodeNodeAdvert = decoderFor<NodeAdvert>(NodeAdvert, 'node advert');
export const decodeCallNotification = decoderFor<CallNotification>(CallNotification, 'call notification');
export const decodeClientRequest = decoderFor<ClientRequest>(ClientRequest, 'client request');
export const decodeClientReply = decoderFor<ClientReply>(ClientReply, 'client reply');
export const decodeResumeRequest = decoderFor<ResumeRequest>(ResumeRequest, 'resume request');
export const decodeNodeRpcRequest = decoderFor<NodeRpcRequest>(NodeRpcRequest, 'node rpc request');
export const decodeNodeRpcResponse = decoderFor<NodeRpcResponse>(NodeRpcResponse, 'node rpc response');
export const decodeNodeRpcReply = decoderFor<NodeRpcReply>(NodeRpcReply, 'node rpc reply');
export const decodeCancelCall = decoderFor<CancelCall>(CancelCall, 'cancel');
