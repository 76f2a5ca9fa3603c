import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it.each([
    ['8GiB', 8 * 1024 ** 3],
    ['8 gib', 8 * 1024 ** 3],
    ['512MiB', 512 * 1024 ** 2],
    ['16GB', 16e9],
    ['1.5g', 1.5 * 1024 ** 3],
    ['4096', 4096],
    ['2TiB', 2 * 1024 ** 4],
    ['0', 0],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '8 GiBs', '-1GiB', '1e9', '8GiB extra', '99999999999TiB'])('refuses %j, naming it', (text) => {
    expect(() => parseByteSize(text)).toThrow(
      new RegExp(`invalid size ${JSON.stringify(text).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });
});
