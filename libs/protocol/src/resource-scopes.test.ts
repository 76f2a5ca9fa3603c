import { describe, expect, it } from 'vitest';
import {
  canonicalResourceUri,
  parseResourceReference,
  ResourceReadScopes,
  resourceReadScopes,
} from './resource-scopes.js';

describe('resource references', () => {
  it('gives every spelling of one easyremote: URI the same canonical form', () => {
    const spellings = [
      'easyremote://data/private-1',
      'EASYREMOTE://DATA/private-1',
      'Easyremote://Data/private-1',
      'easyremote://data/%70rivate-1',
      'easyremote://data/%70%72%69%76%61%74%65%2d%31',
      'easyremote://%64ata/private-1',
      'easyremote:///data/private-1',
      'easyremote:data/private-1',
      '  easyremote://data/private-1\n',
      '\u00a0\ufeffeasyremote://data/private-1',
    ];
    for (const spelling of spellings)
      expect([spelling, canonicalResourceUri(spelling)]).toEqual([spelling, 'easyremote://data/private-1']);
    expect(parseResourceReference('easyremote://data/private-1')).toEqual({
      uri: 'easyremote://data/private-1',
      authority: 'data',
      path: 'private-1',
      decoded: true,
    });
    // The path keeps its case (data set ids are case-sensitive) and decodes to the literal name.
    expect(canonicalResourceUri('easyremote://data/Private-1')).toBe('easyremote://data/Private-1');
    expect(canonicalResourceUri('easyremote://data/a%2F..%2Fb')).toBe('easyremote://data/a/../b');
    expect(canonicalResourceUri('easyremote://compute')).toBe('easyremote://compute');
  });

  it('leaves other URIs alone and marks malformed encoding', () => {
    for (const other of [
      'https://example.com/x',
      'file:///etc/passwd',
      'test://items/1',
      'easyremote',
      'xeasyremote://data/x',
      'data/private-1',
    ]) {
      expect(parseResourceReference(other)).toBeUndefined();
      expect(canonicalResourceUri(other)).toBe(other);
    }
    expect(parseResourceReference('easyremote://data/%zz')).toMatchObject({ decoded: false, path: '%zz' });
  });
});

describe('ResourceReadScopes', () => {
  it('matches globs on the canonical URI, so no spelling escapes a narrow scope', () => {
    const narrow = new ResourceReadScopes(['tools:call', 'resources:read:easyremote://data/public-*']);
    expect(narrow.any).toBe(true);
    expect(narrow.mayRead('easyremote://data/public-1')).toBe(true);
    expect(narrow.mayRead('EASYREMOTE://DATA/%70ublic-1')).toBe(true);
    for (const denied of [
      'easyremote://data/private-1',
      'easyremote://data/%70rivate-1',
      'EASYREMOTE://DATA/private-1',
      'easyremote:data/private-1',
      'easyremote://compute/n1',
      'test://x',
    ]) {
      expect([denied, narrow.mayRead(denied)]).toEqual([denied, false]);
    }
    // A newline inside the glob's `*` is not "any character": refused rather than allowed.
    expect(narrow.mayRead('easyremote://data/public-%0Ax')).toBe(false);
  });

  it('admin and plain resources:read read everything; no scope reads nothing', () => {
    expect(new ResourceReadScopes(['admin']).mayRead('easyremote://data/x')).toBe(true);
    expect(new ResourceReadScopes(['resources:read']).mayRead('anything://at/all')).toBe(true);
    const none = new ResourceReadScopes(['tools:call']);
    expect(none.any).toBe(false);
    expect(none.mayRead('easyremote://data/public-1')).toBe(false);
    expect(resourceReadScopes(['resources:read:a*'])).toBe(resourceReadScopes(['resources:read:a*']));
  });
});
