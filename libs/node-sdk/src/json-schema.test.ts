import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineTool } from './define-tool.js';
import { runTool } from './run-tool.js';
import { toJsonSchema, withoutDefaultedRequired } from './json-schema.js';

describe('withoutDefaultedRequired (the advert says what the node requires)', () => {
  it('drops a property with a default from required, keeps the others', () => {
    const schema = toJsonSchema(Type.Object({ path: Type.String(), chunk_size: Type.Integer({ default: 10_000 }) }));
    expect(schema.required).toEqual(['path', 'chunk_size']);
    const advertised = withoutDefaultedRequired(schema);
    expect(advertised.required).toEqual(['path']);
    // The default itself stays advertised, so a client can show it.
    expect((advertised.properties as Record<string, { default?: unknown }>).chunk_size?.default).toBe(10_000);
    // A copy: the TypeBox-derived schema the node validates with is untouched.
    expect(schema.required).toEqual(['path', 'chunk_size']);
  });

  it('removes required entirely when every property has a default', () => {
    const advertised = withoutDefaultedRequired(toJsonSchema(Type.Object({ width: Type.Integer({ default: 512 }) })));
    expect('required' in advertised).toBe(false);
  });

  it('applies at every depth: nested objects, array items, allOf branches', () => {
    const schema = toJsonSchema(
      Type.Object({
        options: Type.Object({ mode: Type.String({ default: 'fast' }), seed: Type.Integer() }),
        jobs: Type.Array(Type.Object({ id: Type.String(), retries: Type.Integer({ default: 2 }) })),
        both: Type.Intersect([Type.Object({ a: Type.String({ default: 'x' }) }), Type.Object({ b: Type.String() })]),
      }),
    );
    const advertised = withoutDefaultedRequired(schema) as {
      required: string[];
      properties: {
        options: { required: string[] };
        jobs: { items: { required: string[] } };
        both: { allOf: Array<{ required?: string[] }> };
      };
    };
    expect(advertised.required).toEqual(['options', 'jobs', 'both']);
    expect(advertised.properties.options.required).toEqual(['seed']);
    expect(advertised.properties.jobs.items.required).toEqual(['id']);
    expect(advertised.properties.both.allOf.map((branch) => branch.required)).toEqual([undefined, ['b']]);
  });

  it('defineTool advertises the relaxed input schema and the handler still receives the default', async () => {
    const tool = defineTool({
      name: 'resize',
      input: Type.Object({ url: Type.String(), width: Type.Integer({ minimum: 1, default: 512 }) }),
      output: Type.Object({ width: Type.Integer({ default: 1 }) }),
      handler: ({ width }) => ({ width }),
    });
    expect(tool.descriptor.inputSchema.required).toEqual(['url']);
    // Output schemas describe what the node returns: their required list is left alone.
    expect(tool.descriptor.outputSchema?.required).toEqual(['width']);
    const result = await runTool(tool, { url: 'https://example.com/a.png' });
    expect(result).toMatchObject({ ok: true, result: { structuredContent: { width: 512 } } });
  });
});
