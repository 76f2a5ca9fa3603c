import { Headers, WireErrorCode } from '@easyremote/protocol';
import { isMeshError, MeshErrorCode, type PayloadStore } from '@easyremote/mesh';
import type { Msg } from '@nats-io/nats-core';
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
