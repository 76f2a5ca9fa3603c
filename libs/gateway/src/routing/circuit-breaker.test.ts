import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';

describe('CircuitBreakers', () => {
  it('opens after consecutive failures, lets one probe through, and closes on success', () => {
    let now = 1_000;
    const breakers = new CircuitBreakers({
      failureThreshold: 2,
      openMs: 100,
      maxOpenMs: 1_000,
      burstMs: 0,
      now: () => now,
    });
    breakers.failure('a');
    expect(breakers.state('a')).toBe('closed');
    breakers.failure('a');
    expect(breakers.state('a')).toBe('open');
    expect(breakers.allows('a')).toBe(false);
    expect(breakers.allows('b')).toBe(true);
    now += 100;
    expect(breakers.state('a')).toBe('half-open');
    breakers.begin('a');
    expect(breakers.allows('a')).toBe(false); // only one probe at a time
    breakers.success('a');
    expect(breakers.state('a')).toBe('closed');
  });

  it('reopens for twice as long when the probe fails, and a success resets the count', () => {
    let now = 0;
    const breakers = new CircuitBreakers({
      failureThreshold: 1,
      openMs: 100,
      maxOpenMs: 150,
      burstMs: 0,
      now: () => now,
    });
    breakers.failure('a');
    now = 100;
    breakers.begin('a');
    breakers.failure('a');
    expect(breakers.retryAt('a')).toBe(250);
    now = 250;
    breakers.begin('a');
    breakers.failure('a');
    expect(breakers.retryAt('a')).toBe(400); // capped at maxOpenMs
    now = 400;
    breakers.begin('a');
    breakers.neutral('a');
    expect(breakers.state('a')).toBe('half-open');
    const counting = new CircuitBreakers({ failureThreshold: 2, burstMs: 0, now: () => now });
    counting.failure('b');
    counting.success('b');
    counting.failure('b');
    expect(counting.state('b')).toBe('closed');
  });

  it('counts failures in one burst (calls in flight when a server died) as one', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 100, burstMs: 1_000, now: () => now });
    for (let i = 0; i < 10; i++) breakers.failure('a'); // ten concurrent timeouts
    expect(breakers.state('a')).toBe('closed');
    now = 1_000;
    breakers.failure('a');
    now = 2_000;
    breakers.failure('a'); // three separate incidents
    expect(breakers.state('a')).toBe('open');
  });
});
