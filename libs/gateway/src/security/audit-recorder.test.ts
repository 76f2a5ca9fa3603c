import { describe, expect, it } from 'vitest';
import { isoTime } from './audit-recorder.js';

describe('isoTime', () => {
  it('matches Date#toISOString, within a second and across seconds', () => {
    const start = Date.UTC(2026, 10, 24, 23, 59, 58, 990);
    for (let ms = start; ms < start + 2_100; ms += 7) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    for (const ms of [
      0,
      5,
      999,
      1_000,
      86_400_000 - 1,
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      -1,
      -1_001,
    ]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
