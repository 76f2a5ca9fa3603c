import { describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey, secretMatches } from './api-key.js';
import { canonicalJson } from '@easyremote/protocol';
import { argumentsDigest, parseSince } from './audit-log.js';

describe('API keys', () => {
  it('round-trip: a generated key parses to its id and its secret matches the stored hash', () => {
    const { id, key, secretHash } = generateApiKey();
    const parsed = parseApiKey(key);
    expect(parsed?.id).toBe(id);
    expect(secretMatches(parsed!.secret, secretHash)).toBe(true);
    expect(secretMatches(`${parsed!.secret}x`, secretHash)).toBe(false);
    expect(key).not.toContain(secretHash);
  });

  it('anything without the key shape is not a key', () => {
    for (const token of [
      '',
      'erk_',
      'erk_XYZ',
      'erk_0123456789abcdef',
      'erk_0123456789abcdef_short',
      'Bearer erk_x',
      `erk_0123456789abcdef_${'a'.repeat(200)}`,
    ]) {
      expect(parseApiKey(token), token).toBeUndefined();
    }
  });
});

describe('audit helpers', () => {
  it('digests arguments independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(argumentsDigest({ a: 1, b: 2 })).toBe(argumentsDigest({ b: 2, a: 1 }));
    expect(argumentsDigest({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads --since durations and ISO times', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    expect(parseSince('1h', now)).toBe(now - 3_600_000);
    expect(parseSince('30m', now)).toBe(now - 1_800_000);
    expect(parseSince('2026-01-01T00:00:00Z', now)).toBe(Date.UTC(2026, 0, 1));
    expect(parseSince('soon', now)).toBeUndefined();
    // Further back than 1970 (or than any date): from the start, never an invalid time.
    expect(parseSince('99999999999d', now)).toBe(0);
    expect(parseSince(`${'9'.repeat(400)}d`, now)).toBe(0);
    expect(new Date(parseSince('99999999999d', now)!).toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });
});
