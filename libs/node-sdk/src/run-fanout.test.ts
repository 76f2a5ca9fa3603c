import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineMerger } from './define-merger.js';
import { defineTool } from './define-tool.js';
import { runFanout } from './run-fanout.js';
import { runTool } from './run-tool.js';

const squares = defineTool({
  name: 'squares',
  input: Type.Object({ numbers: Type.Array(Type.Number()), size: Type.Optional(Type.Integer()) }),
  output: Type.Object({ squares: Type.Array(Type.Number()), total: Type.Number(), chunks: Type.Array(Type.Integer()) }),
  fanout: {
    split: { argument: 'numbers', chunkSize: 2, chunkSizeArgument: 'size' },
    merge: { fields: { squares: 'concat', total: 'sum', chunks: 'concat' } },
  },
  handler: async ({ numbers }, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, (ctx.chunk?.count ?? 1) - (ctx.chunk?.index ?? 0)));
    return {
      squares: numbers.map((n) => n * n),
      total: numbers.reduce((a, n) => a + n * n, 0),
      chunks: [ctx.chunk?.offset ?? -1],
    };
  },
});

const ranges = defineTool({
  name: 'ranges',
  input: Type.Object({ upTo: Type.Integer(), step: Type.Integer({ default: 10 }) }),
  output: Type.Object({ sum: Type.Number(), parts: Type.Integer() }),
  fanout: {
    split: {
      plan: ({ upTo, step }) =>
        Array.from({ length: Math.ceil(upTo / step) }, (_, i) => ({
          from: i * step,
          to: Math.min(upTo, (i + 1) * step),
        })),
    },
    merge: (partials) => ({
      sum: partials.reduce((a, p) => a + (p.structuredContent?.sum ?? 0), 0),
      parts: partials.length,
    }),
  },
  handler: ({ upTo }, ctx) => {
    const { from, to } = (ctx.chunk?.data as { from: number; to: number } | undefined) ?? { from: 0, to: upTo };
    let sum = 0;
    for (let i = from; i < to; i++) sum += i;
    return { sum, parts: 1 };
  },
});

describe('fan-out tools', () => {
  it('advertise their split and merge', () => {
    expect(squares.descriptor.fanout).toEqual({
      split: { kind: 'array', argument: 'numbers', chunkSize: 2, chunkSizeArgument: 'size' },
      merge: { kind: 'fields', fields: { squares: 'concat', total: 'sum', chunks: 'concat' } },
    });
    expect(ranges.descriptor.fanout).toEqual({ split: { kind: 'plan' }, merge: { kind: 'reducer', name: 'ranges' } });
  });

  it('merge array chunks in chunk order although later chunks finish first', async () => {
    const response = await runFanout(squares, { numbers: [1, 2, 3, 4, 5] });
    expect(response).toMatchObject({
      ok: true,
      result: { structuredContent: { squares: [1, 4, 9, 16, 25], total: 55, chunks: [0, 2, 4] } },
    });
    const bySize = await runFanout(squares, { numbers: [1, 2, 3], size: 1 });
    expect(bySize).toMatchObject({ ok: true, result: { structuredContent: { chunks: [0, 1, 2] } } });
  });

  it('run a plan and a merge function, and equal the whole computation', async () => {
    const whole = await runTool(ranges, { upTo: 95 });
    const split = await runFanout(ranges, { upTo: 95 });
    expect(split).toMatchObject({ ok: true, result: { structuredContent: { sum: 4465, parts: 10 } } });
    expect(whole).toMatchObject({ ok: true, result: { structuredContent: { sum: 4465, parts: 1 } } });
  });

  it('use named mergers', async () => {
    const tool = defineTool({
      name: 'words',
      input: Type.Object({ words: Type.Array(Type.String()) }),
      fanout: { split: { argument: 'words', chunkSize: 1 }, merge: { reducer: 'join' } },
      handler: ({ words }) => words.join(' ').toUpperCase(),
    });
    const join = defineMerger({
      name: 'join',
      merge: (partials) => partials.map((p) => String(p.content[0]?.text)).join('+'),
    });
    expect(await runFanout(tool, { words: ['a', 'b'] }, { mergers: [join] })).toEqual({
      ok: true,
      result: { content: [{ type: 'text', text: 'A+B' }] },
    });
  });

  it('are rejected when the split or merge cannot work', () => {
    const input = Type.Object({ n: Type.Integer(), xs: Type.Array(Type.Integer()) });
    expect(() =>
      defineTool({
        name: 'a',
        input,
        fanout: { split: { argument: 'n' as 'xs', chunkSize: 1 }, merge: 'concat' },
        handler: () => 'x',
      }),
    ).toThrow(/not an array property/);
    expect(() =>
      defineTool({
        name: 'b',
        input,
        fanout: { split: { argument: 'xs', chunkSize: 0 }, merge: 'concat' },
        handler: () => 'x',
      }),
    ).toThrow(/chunkSize/);
    expect(() =>
      defineTool({
        name: 'c',
        input,
        fanout: { split: { argument: 'xs', chunkSize: 1 }, merge: 'sum' },
        handler: () => 'x',
      }),
    ).toThrow(/needs an output schema/);
    expect(() =>
      defineTool({
        name: 'd',
        input,
        fanout: { split: { argument: 'xs', chunkSize: 1 }, merge: 'avg' as 'sum' },
        handler: () => 'x',
      }),
    ).toThrow(/must be one of/);
  });
});
