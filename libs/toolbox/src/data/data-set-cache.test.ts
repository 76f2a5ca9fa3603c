import { describe, expect, it } from 'vitest';
import { DataSetCache } from './data-set-cache.js';

describe('DataSetCache', () => {
  it('loads a version once for concurrent and later readers, and forgets it after the TTL', async () => {
    let now = 0;
    const cache = new DataSetCache({ ttlMs: 1000, now: () => now });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return Buffer.from('data');
    };
    await Promise.all([cache.get('a@1', load), cache.get('a@1', load), cache.get('a@1', load)]);
    expect(loads).toBe(1);
    now = 900;
    await cache.get('a@1', load);
    now = 1800; // still within the TTL of the last use
    await cache.get('a@1', load);
    expect(loads).toBe(1);
    now = 5000;
    await cache.get('a@1', load);
    expect(loads).toBe(2);
    await cache.get('a@2', load); // a new version is a new entry
    expect(loads).toBe(3);
  });

  it('keeps at most maxEntries and does not keep failed loads', async () => {
    const cache = new DataSetCache({ maxEntries: 2 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return Buffer.alloc(1);
    };
    for (const key of ['a', 'b', 'c', 'a']) await cache.get(key, load);
    expect(loads).toBe(4); // a was evicted by c
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('bad', load)).toHaveLength(1);
  });
});
