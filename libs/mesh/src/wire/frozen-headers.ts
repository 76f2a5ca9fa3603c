import type { MsgHdrs } from '@nats-io/nats-core';

/** The `encode()` nats.js's MsgHdrs implementation has beside the public interface. */
type EncodableHeaders = MsgHdrs & { encode?: () => Uint8Array };

/**
 * Headers that never change after this call, encoded once instead of on every publish. nats.js
 * encodes a message's headers each time it is sent, through `encode()` — a method of its
 * implementation, not of the `MsgHdrs` interface; a node sends the same `Er-Node-Id` header with
 * every reply. Returns the headers untouched when they have no such method (the library changed).
 */
export function freezeHeaderBytes(headers: MsgHdrs): MsgHdrs {
  const encodable = headers as EncodableHeaders;
  if (typeof encodable.encode !== 'function') return headers;
  const bytes = encodable.encode();
  encodable.encode = () => bytes;
  return headers;
}
