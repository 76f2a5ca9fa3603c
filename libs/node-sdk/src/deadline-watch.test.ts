import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineWatch } from './deadline-watch.js';

describe('DeadlineWatch', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000 }));
  afterEach(() => vi.useRealTimers());

  it('expires each watched deadline when it passes, earliest first, whatever the order they came in', () => {
    const watch = new DeadlineWatch();
    const expired: string[] = [];
    watch.watch(1_300, () => expired.push('c'));
    watch.watch(1_100, () => expired.push('a'));
    watch.watch(1_200, () => expired.push('b'));
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['a', 'b', 'c']);
  });

  it('never expires an unwatched deadline, and still expires the ones after it', () => {
    const watch = new DeadlineWatch();
    const expired: string[] = [];
    const first = watch.watch(1_100, () => expired.push('first'));
    watch.watch(1_500, () => expired.push('second'));
    watch.unwatch(first);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(300);
    expect(expired).toEqual(['second']);
  });

  it('expires a deadline already past at the next timer turn', () => {
    const watch = new DeadlineWatch();
    let expired = false;
    watch.watch(900, () => (expired = true));
    expect(expired).toBe(false);
    vi.advanceTimersByTime(0);
    expect(expired).toBe(true);
  });
});
