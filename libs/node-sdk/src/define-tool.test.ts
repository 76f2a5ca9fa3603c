import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineTool, isToolDefinition } from './define-tool.js';
import { runTool } from './run-tool.js';
import { NodeSdkErrorCode } from './errors.js';

const noop = () => 'ok';

describe('defineTool', () => {
  it('builds an MCP descriptor with plain JSON Schema objects', () => {
    const tool = defineTool({
      name: 'image.resize',
      title: 'Resize an image',
      description: 'Scales an image',
      input: Type.Object({
        width: Type.Integer({ minimum: 1 }),
        format: Type.Optional(Type.String({ default: 'png' })),
      }),
      output: Type.Object({ bytes: Type.Integer() }),
      annotations: { readOnlyHint: true },
      icons: [{ src: 'https://example.com/i.png', mimeType: 'image/png' }],
      metadata: { category: 'image', tags: ['gpu'], securityLevel: 'standard' },
      timeoutMs: 5_000,
      handler: ({ width }) => ({ bytes: width }),
    });
    expect(tool.name).toBe('image.resize');
    expect(tool.descriptor).toEqual({
      name: 'image.resize',
      title: 'Resize an image',
      description: 'Scales an image',
      inputSchema: {
        type: 'object',
        required: ['width'],
        properties: { width: { type: 'integer', minimum: 1 }, format: { type: 'string', default: 'png' } },
      },
      outputSchema: { type: 'object', required: ['bytes'], properties: { bytes: { type: 'integer' } } },
      annotations: { readOnlyHint: true },
      icons: [{ src: 'https://example.com/i.png', mimeType: 'image/png' }],
      metadata: { category: 'image', tags: ['gpu'], securityLevel: 'standard' },
      timeoutMs: 5_000,
    });
    // No TypeBox bookkeeping survives: the descriptor round-trips through JSON unchanged.
    expect(JSON.parse(JSON.stringify(tool.descriptor))).toEqual(tool.descriptor);
    expect(Reflect.ownKeys(tool.descriptor.inputSchema.properties as object)).toEqual(['width', 'format']);
    const width = (tool.descriptor.inputSchema.properties as Record<string, object>).width as object;
    expect(Reflect.ownKeys(width).some((key) => typeof key === 'symbol' || key.startsWith('~'))).toBe(false);
  });

  it('leaves optional fields out and freezes the definition', () => {
    const tool = defineTool({ name: 'ping', input: Type.Object({}), handler: noop });
    expect(tool.descriptor).toEqual({ name: 'ping', inputSchema: { type: 'object', properties: {} } });
    expect(Object.isFrozen(tool)).toBe(true);
    expect(isToolDefinition(tool)).toBe(true);
    expect(isToolDefinition({ name: 'ping', descriptor: tool.descriptor })).toBe(false);
  });

  it('adds type "object" to composite object schemas', () => {
    const input = Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ b: Type.Number() })]);
    const tool = defineTool({ name: 'both', input, handler: noop });
    expect(tool.descriptor.inputSchema.type).toBe('object');
    expect(tool.descriptor.inputSchema.allOf).toHaveLength(2);
  });

  it.each(['', 'has space', 'slash/name', 'x'.repeat(129), 'ümlaut'])('rejects the tool name %j', (name) => {
    expect(() => defineTool({ name, input: Type.Object({}), handler: noop })).toThrow(
      expect.objectContaining({
        code: NodeSdkErrorCode.InvalidToolName,
        message: expect.stringMatching(/invalid tool name .*1-128 characters/),
      }),
    );
  });

  it('rejects non-object schemas, bad timeouts and bad metadata', () => {
    const invalid = expect.objectContaining({ code: NodeSdkErrorCode.InvalidTool });
    expect(() => defineTool({ name: 't', input: Type.String(), handler: noop })).toThrow(
      /input schema must describe an object/,
    );
    expect(() =>
      defineTool({ name: 't', input: Type.Object({}), output: Type.Array(Type.String()), handler: () => [] }),
    ).toThrow(invalid);
    expect(() => defineTool({ name: 't', input: Type.Object({}), timeoutMs: 0, handler: noop })).toThrow(
      /timeoutMs must be a positive integer/,
    );
    const metadata = { securityLevel: 'extreme' } as never;
    expect(() => defineTool({ name: 't', input: Type.Object({}), metadata, handler: noop })).toThrow(
      /\/metadata\/securityLevel/,
    );
    expect(() => defineTool({ name: 't', input: Type.Object({}), handler: 'nope' as never })).toThrow(invalid);
  });
});

describe('defineTool with a raw JSON Schema', () => {
  it('keeps $schema, $defs and additionalProperties of a Type.Unsafe input, and validates with them', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      additionalProperties: false,
    };
    const tool = defineTool({
      name: 'json_schema_2020_12_tool',
      input: Type.Unsafe<{ name?: string; address?: { street?: string; city?: string } }>(schema),
      handler: (args) => JSON.stringify(args),
    });
    expect(tool.descriptor.inputSchema).toEqual(schema);
    expect(await runTool(tool, { name: 'a', address: { city: 'b' } })).toMatchObject({ ok: true });
    expect(await runTool(tool, { address: { city: 3 } })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('/address/city: must be string') },
    });
    expect(await runTool(tool, { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'NODE_ERR_INVALID_ARGUMENTS' },
    });
  });
});
