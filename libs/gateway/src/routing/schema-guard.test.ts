import Schema from 'typebox/schema';
import { describe, expect, it } from 'vitest';
import { refuseToolSchemas, SCHEMA_LIMITS, withLinearPatterns } from './schema-guard.js';

const tool = (inputSchema: Record<string, unknown>, outputSchema?: Record<string, unknown>) => ({
  name: 't',
  inputSchema,
  ...(outputSchema ? { outputSchema } : {}),
});

describe('advertised schema guard', () => {
  it('accepts ordinary schemas, patterns RE2 can run included', () => {
    expect(
      refuseToolSchemas(tool({ type: 'object', properties: { a: { type: 'string', pattern: '^[a-z]+$' } } })),
    ).toBeUndefined();
    expect(
      refuseToolSchemas(tool({ type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } } })),
    ).toBeUndefined();
  });

  it('refuses patterns only a backtracking engine runs, anywhere a subschema can be', () => {
    expect(
      refuseToolSchemas(tool({ type: 'object', properties: { a: { type: 'string', pattern: '^(a)\\1$' } } })),
    ).toMatch(/linear-time engine/);
    expect(refuseToolSchemas(tool({ anyOf: [{ type: 'string' }, { items: { pattern: '(?=x)' } }] }))).toMatch(
      /linear-time engine/,
    );
    expect(refuseToolSchemas(tool({ $defs: { x: { propertyNames: { pattern: '(?<!a)b' } } } }))).toMatch(
      /linear-time engine/,
    );
    expect(refuseToolSchemas(tool({ type: 'object' }, { properties: { r: { pattern: '(a)\\1' } } }))).toMatch(
      /outputSchema/,
    );
    expect(
      refuseToolSchemas(tool({ properties: { a: { pattern: 'x'.repeat(SCHEMA_LIMITS.maxPatternLength + 1) } } })),
    ).toMatch(/longer than/);
  });

  it('refuses patternProperties keys that could backtrack natively', () => {
    expect(refuseToolSchemas(tool({ patternProperties: { '^x_[0-9]+$': {} } }))).toBeUndefined();
    expect(refuseToolSchemas(tool({ patternProperties: { '^(a+)+$': {} } }))).toMatch(/backtrack/);
  });

  it('bounds size, subschema count and depth', () => {
    expect(refuseToolSchemas(tool({ description: 'x'.repeat(SCHEMA_LIMITS.maxBytes) }))).toMatch(/byte limit/);
    const many = {
      properties: Object.fromEntries(Array.from({ length: SCHEMA_LIMITS.maxSubschemas + 1 }, (_, i) => [`p${i}`, {}])),
    };
    expect(refuseToolSchemas(tool(many))).toMatch(/subschemas/);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i <= SCHEMA_LIMITS.maxDepth; i++) deep = { items: deep };
    expect(refuseToolSchemas(tool(deep))).toMatch(/deeper than/);
  });

  it('validates patterns on RE2: a value built to backtrack is judged at once, with the same answers', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string', pattern: '^(a+)+$' }, d: { default: { pattern: 'kept as data' } } },
    };
    const validator = Schema.Compile(withLinearPatterns(schema) as Parameters<typeof Schema.Compile>[0]);
    expect(validator.Check({ a: 'aaaa' })).toBe(true);
    expect(validator.Check({ a: `${'a'.repeat(100_000)}!` })).toBe(false);
    expect(validator.Check({ a: 'b' })).toBe(false);
    // Only schema positions are converted: data that looks like a schema stays data.
    expect((withLinearPatterns(schema).properties as Record<string, { default?: unknown }>).d?.default).toEqual({
      pattern: 'kept as data',
    });
  });
});
