import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { checkJsonValue, scanJsonText } from './input-limits.js';

const limits = { maxDepth: 4, maxStringLength: 8 };

describe('input limits', () => {
  it('counts nesting outside strings only', () => {
    expect(scanJsonText('{"a":[{"b":{}}]}', limits)).toBeUndefined();
    expect(scanJsonText('{"a":[{"b":{"c":[]}}]}', limits)).toMatch(/deeper than 4/);
    expect(scanJsonText('{"a":"[[[[[[[[","b":1}', { maxDepth: 4, maxStringLength: 100 })).toBeUndefined();
    expect(scanJsonText('{"a":"\\"[[[[[[[["}', { maxDepth: 4, maxStringLength: 100 })).toBeUndefined();
  });

  it('limits string length in text and in parsed values', () => {
    expect(scanJsonText('{"a":"12345678"}', limits)).toBeUndefined();
    expect(scanJsonText('{"a":"123456789"}', limits)).toMatch(/longer than 8/);
    expect(checkJsonValue({ a: '123456789' }, limits)).toMatch(/longer than 8/);
    expect(checkJsonValue({ a: { b: { c: { d: {} } } } }, limits)).toMatch(/deeper than 4/);
    expect(checkJsonValue({ a: [1, 'ok'] }, limits)).toBeUndefined();
  });
});

describe('auth configuration', () => {
  it('is on by default and cannot be turned off on a non-loopback address', () => {
    expect(loadGatewayConfig({}).auth).toBe('on');
    expect(loadGatewayConfig({ EASYREMOTE_AUTH: 'off' }).auth).toBe('off');
    expect(() => loadGatewayConfig({ EASYREMOTE_AUTH: 'off', HOST: '0.0.0.0' })).toThrow(/EASYREMOTE_AUTH=off is refused on a non-loopback address/);
    expect(() => loadGatewayConfig({ EASYREMOTE_AUTH: 'maybe' })).toThrow(/EASYREMOTE_AUTH/);
  });
});
