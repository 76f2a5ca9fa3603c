import { AccessPolicy } from '@easyremote/auth';
import { describe, expect, it } from 'vitest';
import { headerSafe, unreadableResourceIn } from './resource-arguments.js';

describe('unreadableResourceIn', () => {
  const narrow = new AccessPolicy(['tools:call', 'resources:read:easyremote://data/public-*']);

  it('finds a resource the caller may not read in any string argument, at any depth, in any spelling', () => {
    expect(
      unreadableResourceIn(narrow, { dataset_path: 'easyremote://data/public-1', other: 'plain text' }),
    ).toBeUndefined();
    const hidden = [
      { dataset_path: 'easyremote://data/private-1' },
      { dataset_path: 'easyremote://data/%70rivate-1' },
      { dataset_path: 'EASYREMOTE://DATA/private-1' },
      { dataset_path: ' easyremote:data/private-1' },
      { nested: { deeper: [1, true, null, ['x', 'easyremote:///data/private-1']] } },
      { prompts: ['fine', 'easyremote://compute/gpu-1'] },
    ];
    for (const args of hidden)
      expect([args, unreadableResourceIn(narrow, args)]).toEqual([
        args,
        expect.stringMatching(/^easyremote:\/\/(data\/private-1|compute\/gpu-1)$/),
      ]);
    expect(unreadableResourceIn(narrow, ['easyremote://data/%70rivate-1'])).toBe('easyremote://data/private-1');
  });

  it('leaves admins, full readers and non-resource strings alone', () => {
    expect(unreadableResourceIn(new AccessPolicy(['admin']), { a: 'easyremote://data/private-1' })).toBeUndefined();
    expect(
      unreadableResourceIn(new AccessPolicy(['resources:read']), { a: 'easyremote://data/private-1' }),
    ).toBeUndefined();
    expect(
      unreadableResourceIn(narrow, {
        a: 'see easyremote://data/private-1',
        b: 'https://example.com',
        c: 'e',
        d: 'x'.repeat(100_000),
      }),
    ).toBeUndefined();
  });

  it('makes a caller-chosen URI safe for a WWW-Authenticate value', () => {
    expect(headerSafe('easyremote://data/a"b\r\nc d\u00e9')).toBe('easyremote://data/a%22b%0D%0Ac%20d%C3%A9');
  });
});
