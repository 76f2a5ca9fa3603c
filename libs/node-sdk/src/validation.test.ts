import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileChecker, declaresDefaults, formatErrors } from './validation.js';

describe('argument validation', () => {
  const checker = compileChecker(
    Type.Object({
      text: Type.String(),
      count: Type.Optional(Type.Integer({ minimum: 1, default: 2 })),
      nested: Type.Optional(Type.Object({ flag: Type.Boolean() })),
    }),
  );

  it('fills defaults before validating', () => {
    expect(checker.withDefaults({ text: 'a' })).toEqual({ ok: true, value: { text: 'a', count: 2 } });
  });

  it('lists every failing path in a readable message', () => {
    const result = checker.withDefaults({ text: 5, count: 0, nested: { flag: 'yes' } });
    expect(result).toEqual({
      ok: false,
      message: '/text: must be string; /count: must be >= 1; /nested/flag: must be boolean',
    });
  });

  it('names the root for missing properties', () => {
    expect(checker.check({})).toEqual({ ok: false, message: '/: must have required properties text' });
  });

  it('deduplicates and caps long error lists', () => {
    const errors = Array.from({ length: 12 }, (_, i) => ({ instancePath: `/${i}`, message: 'must be string' }));
    const message = formatErrors([...errors, errors[0] as (typeof errors)[0]]);
    expect(message.split('; ')).toHaveLength(9);
    expect(message).toMatch(/^\/0: must be string; .*; and 4 more$/);
  });

  it('knows whether a schema declares defaults, and checks without filling when it does not', () => {
    expect(
      declaresDefaults(
        Type.Object({ a: Type.Optional(Type.Array(Type.Object({ b: Type.String({ default: 'x' }) }))) }),
      ),
    ).toBe(true);
    const plain = Type.Object({ text: Type.String(), nested: Type.Optional(Type.Object({ n: Type.Number() })) });
    expect(declaresDefaults(plain)).toBe(false);
    const value = { text: 'a' };
    expect(compileChecker(plain).withDefaults(value)).toEqual({ ok: true, value });
    expect(compileChecker(plain).withDefaults({ text: 1 })).toEqual({ ok: false, message: '/text: must be string' });
  });
});
