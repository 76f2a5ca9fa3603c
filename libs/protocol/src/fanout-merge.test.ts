import { describe, expect, it } from 'vitest';
import { mergeBuiltin, mergeValues, planChunkCalls, splitArrayArguments } from './fanout-merge.js';
import type { FanoutPartial } from './fanout.js';

const partial = (
  index: number,
  structuredContent: Record<string, unknown>,
  extra: Record<string, unknown>[] = [],
): FanoutPartial => ({
  index,
  content: [{ type: 'text', text: JSON.stringify(structuredContent) }, ...extra],
  structuredContent,
});

describe('splitArrayArguments', () => {
  it('slices the array argument into chunks with offsets, keeping the other arguments', () => {
    const calls = splitArrayArguments(
      { items: [1, 2, 3, 4, 5], style: 'x' },
      { kind: 'array', argument: 'items', chunkSize: 2 },
    );
    expect(calls?.map((c) => c.arguments)).toEqual([
      { items: [1, 2], style: 'x' },
      { items: [3, 4], style: 'x' },
      { items: [5], style: 'x' },
    ]);
    expect(calls?.map((c) => c.chunk)).toEqual([
      { index: 0, count: 3, offset: 0 },
      { index: 1, count: 3, offset: 2 },
      { index: 2, count: 3, offset: 4 },
    ]);
  });

  it('lets the call choose the size and runs small or missing arrays whole', () => {
    const split = { kind: 'array', argument: 'items', chunkSize: 10, chunkSizeArgument: 'size' } as const;
    expect(splitArrayArguments({ items: [1, 2, 3], size: 1 }, split)).toHaveLength(3);
    expect(splitArrayArguments({ items: [1, 2, 3] }, split)).toBeUndefined();
    expect(splitArrayArguments({ items: 'no' }, split)).toBeUndefined();
  });
});

describe('planChunkCalls', () => {
  it('gives each chunk the whole arguments and its plan element', () => {
    expect(planChunkCalls({ path: 'a' }, [{ from: 0 }, { from: 5 }])).toEqual([
      { arguments: { path: 'a' }, chunk: { index: 0, count: 2, data: { from: 0 } } },
      { arguments: { path: 'a' }, chunk: { index: 1, count: 2, data: { from: 5 } } },
    ]);
  });
});

describe('mergeValues', () => {
  it('implements every built-in', () => {
    expect(mergeValues('concat', [[1], undefined, [2, [3]]], 'f')).toEqual([1, 2, [3]]);
    expect(mergeValues('concat', ['a', 'b'], 'f')).toBe('ab');
    expect(mergeValues('sum', [1, 2.5, undefined], 'f')).toBe(3.5);
    expect(mergeValues('min', [3, 1, 2], 'f')).toBe(1);
    expect(mergeValues('max', [3, 1, 2], 'f')).toBe(3);
    expect(mergeValues('merge', [{ a: 1, b: 1 }, { b: 2 }], 'f')).toEqual({ a: 1, b: 2 });
    expect(mergeValues('first', [undefined, 1, 2], 'f')).toBe(1);
    expect(mergeValues('last', [1, 2, undefined], 'f')).toBe(2);
  });

  it('names the field and the type on a mismatch', () => {
    expect(() => mergeValues('sum', [1, 'x'], 'total')).toThrow('sum of total needs numbers, got string');
  });
});

describe('mergeBuiltin', () => {
  it('merges structured results per field in chunk order, whatever order they finished in', () => {
    const image = { type: 'image', data: 'AA==', mimeType: 'image/png' };
    const outcome = mergeBuiltin(
      { kind: 'fields', fields: { images: 'concat', total: 'sum' } },
      [
        partial(1, { images: ['b'], total: 1, label: 'second' }, [image]),
        partial(0, { images: ['a'], total: 2, label: 'first' }),
      ],
      true,
    );
    expect(outcome).toEqual({
      ok: true,
      result: {
        content: [{ type: 'text', text: '{"images":["a","b"],"total":3,"label":"first"}' }, image],
        structuredContent: { images: ['a', 'b'], total: 3, label: 'first' },
      },
    });
  });

  it('applies a single built-in to every field, and concatenates unstructured content', () => {
    const merged = mergeBuiltin(
      { kind: 'builtin', merger: 'sum' },
      [partial(0, { n: 1, m: 2 }), partial(1, { n: 3, m: 4 })],
      true,
    );
    expect(merged.ok && merged.result.structuredContent).toEqual({ n: 4, m: 6 });
    const text = mergeBuiltin(
      { kind: 'builtin', merger: 'concat' },
      [
        { index: 1, content: [{ type: 'text', text: 'b' }] },
        { index: 0, content: [{ type: 'text', text: 'a' }] },
      ],
      false,
    );
    expect(text).toEqual({
      ok: true,
      result: {
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    });
  });

  it('fails clearly instead of guessing', () => {
    expect(mergeBuiltin({ kind: 'builtin', merger: 'sum' }, [{ index: 0, content: [] }], false)).toEqual({
      ok: false,
      message: 'merger sum needs structured results (a tool with an output schema)',
    });
    expect(mergeBuiltin({ kind: 'builtin', merger: 'sum' }, [partial(0, { n: 'x' })], true)).toEqual({
      ok: false,
      message: 'sum of n needs numbers, got string',
    });
  });
});
