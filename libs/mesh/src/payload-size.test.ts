import { describe, expect, it } from 'vitest';
import { headers } from '@nats-io/nats-core';
import { headerBytes } from './payload-size.js';

function encodedLength(record: Record<string, string>): number {
  const hdrs = headers();
  for (const [key, value] of Object.entries(record)) hdrs.set(key, value);
  return (hdrs as unknown as { encode(): Uint8Array }).encode().length;
}

describe('headerBytes', () => {
  const record = { 'Er-Call-Id': 'c-123', 'Er-Deadline': '1767225600000', 'Er-Version': '1' };

  it('is zero without headers', () => {
    expect(headerBytes(undefined, 10, 1024)).toBe(0);
    expect(headerBytes({}, 10, 1024)).toBe(0);
  });

  it('matches what nats.js encodes, far from and near the limit', () => {
    expect(headerBytes(record, 10, 1_048_576)).toBe(encodedLength(record));
    expect(headerBytes(record, 1_048_500, 1_048_576)).toBe(encodedLength(record));
  });

  it('counts UTF-8 bytes near the limit', () => {
    const wide = { 'X-Label': 'größe ✓' };
    expect(headerBytes(wide, 1_048_560, 1_048_576)).toBe(encodedLength(wide));
  });
});
