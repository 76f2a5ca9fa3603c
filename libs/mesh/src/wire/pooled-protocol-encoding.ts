import { TE } from '@nats-io/nats-core/internal';

/** Same bytes as TextEncoder's (lone surrogates become U+FFFD in both), from Node's buffer pool. */
function encodeFromPool(input = ''): Uint8Array {
  return Buffer.from(input, 'utf8');
}

let installed = false;

/**
 * Deviation: replaces `encode` of the `TextEncoder` instance nats.js keeps in
 * `@nats-io/nats-core/internal` (`TE`). nats.js encodes the protocol line of every message it sends (`PUB <subject> <reply> <size>`)
 * with one shared `TextEncoder`, whose `encode` allocates an ArrayBuffer per call: ~640 ns against
 * ~80 ns for `Buffer.from`, on every call and every reply (5-8% of a node's and a caller's CPU on
 * the direct path, docs/performance.md). This gives that one encoder instance a pooled `encode`.
 * It checks first that both produce the same bytes, and leaves nats.js alone otherwise.
 */
export function installPooledProtocolEncoding(): boolean {
  if (installed) return true;
  const sample = 'HPUB tools.echo _INBOX.x.1 12 34\r\n\u00e9\u{1F600}\ud800';
  const expected = new TextEncoder().encode(sample);
  const actual = encodeFromPool(sample);
  if (
    !(TE instanceof TextEncoder) ||
    expected.length !== actual.length ||
    expected.some((byte, index) => actual[index] !== byte)
  )
    return false;
  (TE as { encode: (input?: string) => Uint8Array }).encode = encodeFromPool;
  installed = true;
  return true;
}
