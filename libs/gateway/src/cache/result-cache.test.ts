import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@easyremote/protocol';
import { ResultCache } from './result-cache.js';

describe('result cache keys', () => {
  it('are equal for equal arguments whatever the key order, and differ otherwise', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(ResultCache.key('t', { a: 1, b: 2 })).toBe(ResultCache.key('t', { b: 2, a: 1 }));
    expect(ResultCache.key('t', { a: 1 })).not.toBe(ResultCache.key('u', { a: 1 }));
    expect(ResultCache.key('t', { a: 1 })).not.toBe(ResultCache.key('t', { a: '1' }));
    expect(ResultCache.key('t', { a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});
