// A tools module for a compute node; the root README's "Write your own tool node" shows it.
// Run it against a mesh with:  npx easyremote node docs/examples/text-tools.ts
// Node runs this TypeScript file directly by stripping types, so it keeps to erasable syntax.
// tsconfig.test.json type-checks it, so the README example cannot rot silently.
import { defineTool, ToolError } from '@easyremote/node-sdk';
import { Type } from 'typebox';

export const tools = [
  defineTool({
    name: 'text.stats',
    title: 'Text statistics',
    description: 'Counts the words, lines and characters of a text.',
    input: Type.Object({ text: Type.String({ maxLength: 100_000 }) }, { additionalProperties: false }),
    output: Type.Object({ words: Type.Integer(), lines: Type.Integer(), characters: Type.Integer() }),
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: ({ text }) => {
      if (text.trim() === '') throw new ToolError('TEXT_ERR_EMPTY', 'there is no text to count');
      return {
        words: text.split(/\s+/).filter(Boolean).length,
        lines: text.split('\n').length,
        characters: [...text].length,
      };
    },
  }),
  defineTool({
    name: 'text.shout',
    description: 'Upper-cases a text, optionally several times.',
    // Optional, not only `default`: the gateway validates the arguments as sent, before defaults.
    input: Type.Object({
      text: Type.String(),
      times: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 1 })),
    }),
    timeoutMs: 2_000,
    // No output schema: a returned string becomes one text content block.
    handler: ({ text, times = 1 }, ctx) => `${Array(times).fill(text.toUpperCase()).join(' ')} (from ${ctx.nodeId})`,
  }),
];

export default tools;
