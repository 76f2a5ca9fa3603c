import { TE } from '@nats-io/nats-core/internal';
import { describe, expect, it } from 'vitest';
import { installPooledProtocolEncoding } from './wire-deviations.js';

describe('installPooledProtocolEncoding', () => {
  it("gives nats.js's encoder pooled buffers with the same bytes as TextEncoder", () => {
    expect(installPooledProtocolEncoding()).toBe(true);
    expect(installPooledProtocolEncoding()).toBe(true); // idempotent
    expect(TE.encode).not.toBe(TextEncoder.prototype.encode);
    const reference = new TextEncoder();
    for (const text of [
      '',
      'PUB tools.echo _INBOX.abc.1 42\r\n',
      'ünïcødé ✓ \u{1F680}',
      'lone \ud83d surrogate',
      'x'.repeat(10_000),
    ]) {
      const encoded = TE.encode(text);
      expect(encoded).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(encoded).equals(Buffer.from(reference.encode(text)))).toBe(true);
    }
  });
});
