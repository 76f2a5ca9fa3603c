import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { checkJsonValue, scanJsonText } from './input-limits.js';

const limits = { maxDepth: 4, maxStringLength: 8, maxKeys: 3, maxItems: 4 };
const wide = { maxDepth: 4, maxStringLength: 100, maxKeys: 3, maxItems: 4 };

describe('input limits', () => {
  it('counts nesting outside strings only', () => {
    expect(scanJsonText('{"a":[{"b":{}}]}', limits)).toBeUndefined();
    expect(scanJsonText('{"a":[{"b":{"c":[]}}]}', limits)).toMatch(/deeper than 4/);
    expect(scanJsonText('{"a":"[[[[[[[[","b":1}', wide)).toBeUndefined();
    expect(scanJsonText('{"a":"\\"[[[[[[[["}', wide)).toBeUndefined();
  });

  it('limits string length in text and in parsed values', () => {
    expect(scanJsonText('{"a":"12345678"}', limits)).toBeUndefined();
    expect(scanJsonText('{"a":"123456789"}', limits)).toMatch(/longer than 8/);
    expect(checkJsonValue({ a: '123456789' }, limits)).toMatch(/longer than 8/);
    expect(checkJsonValue({ a: { b: { c: { d: {} } } } }, limits)).toMatch(/deeper than 4/);
    expect(checkJsonValue({ a: [1, 'ok'] }, limits)).toBeUndefined();
  });
});

describe('width limits', () => {
  it('counts the members of each object and the items of each array, at every level, outside strings', () => {
    expect(scanJsonText('{"a":1,"b":2,"c":3}', wide)).toBeUndefined();
    expect(scanJsonText('{"a":1,"b":2,"c":3,"d":4}', wide)).toMatch(/more than 3 members/);
    expect(scanJsonText('[1,2,3,4]', wide)).toBeUndefined();
    expect(scanJsonText('[1, 2, 3, 4, 5]', wide)).toMatch(/more than 4 items/);
    expect(scanJsonText('{"a":[1,2,3,4],"b":{"x":1,"y":[{},{},{},{}]},"c":"1,2,3,4,5,6"}', wide)).toBeUndefined();
    expect(scanJsonText('{"a":[1,2,3,4],"b":{"x":1,"y":[{},{},{},{},{}]}}', wide)).toMatch(/more than 4 items/);
    expect(scanJsonText('{"a":[[1,2,3,4],[1,2,3,4],[1,2,3,4],[1,2,3,4]]}', wide)).toBeUndefined();
    expect(scanJsonText('[{"a":1,"b":2,"c":3,"d":4}]', wide)).toMatch(/more than 3 members/);
    expect(scanJsonText('{}', wide)).toBeUndefined();
    expect(scanJsonText('[]', wide)).toBeUndefined();
  });

  it('refuses a property flood in one linear pass, and the same limits hold on parsed values', () => {
    const flood = `{${Array.from({ length: 500_000 }, (_, i) => `"k${i}":0`).join(',')}}`;
    expect(scanJsonText(flood, { maxDepth: 64, maxStringLength: 1 << 20, maxKeys: 10_000, maxItems: 100_000 })).toMatch(
      /more than 10000 members/,
    );
    expect(checkJsonValue({ a: 1, b: 2, c: 3, d: 4 }, wide)).toMatch(/more than 3 members/);
    expect(checkJsonValue({ a: [1, 2, 3, 4, 5] }, wide)).toMatch(/more than 4 items/);
    expect(checkJsonValue({ a: [1, 2, 3, 4] }, wide)).toBeUndefined();
  });

  it('are configured at start and validated', () => {
    expect(loadGatewayConfig({})).toMatchObject({ maxJsonKeys: 10_000, maxJsonItems: 100_000 });
    expect(loadGatewayConfig({ EASYREMOTE_MAX_JSON_KEYS: '50', EASYREMOTE_MAX_JSON_ITEMS: '70' })).toMatchObject({
      maxJsonKeys: 50,
      maxJsonItems: 70,
    });
    expect(() => loadGatewayConfig({ EASYREMOTE_MAX_JSON_KEYS: 'many' })).toThrow(/EASYREMOTE_MAX_JSON_KEYS/);
  });
});

describe('auth configuration', () => {
  it('is on by default and cannot be turned off on a non-loopback address', () => {
    expect(loadGatewayConfig({}).auth).toBe('on');
    expect(loadGatewayConfig({ EASYREMOTE_AUTH: 'off' }).auth).toBe('off');
    expect(() => loadGatewayConfig({ EASYREMOTE_AUTH: 'off', HOST: '0.0.0.0' })).toThrow(
      /EASYREMOTE_AUTH=off is refused on a non-loopback address/,
    );
    expect(() => loadGatewayConfig({ EASYREMOTE_AUTH: 'maybe' })).toThrow(/EASYREMOTE_AUTH/);
  });
});
