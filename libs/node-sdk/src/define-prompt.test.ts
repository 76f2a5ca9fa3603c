import { describe, expect, it } from 'vitest';
import { compiledPrompt, definePrompt } from './define-prompt.js';
import { NodeSdkErrorCode } from './errors.js';

describe('definePrompt', () => {
  it('builds an MCP prompt descriptor with its arguments and completable ones', () => {
    const prompt = definePrompt({
      name: 'greet',
      title: 'Greeting',
      description: 'Greets someone',
      arguments: [
        { name: 'who', description: 'Whom to greet', required: true },
        { name: 'tone', title: 'Tone' },
      ],
      // Typed from the declaration: `who` is a string, `tone` may be missing.
      get: ({ who, tone }) => `Hello ${who.toUpperCase()}${tone === undefined ? '' : ` (${tone})`}`,
      complete: { tone: () => ['warm', 'formal'] },
    });
    expect(prompt).toMatchObject({ kind: 'prompt', name: 'greet' });
    expect(prompt.descriptor).toEqual({
      name: 'greet',
      title: 'Greeting',
      description: 'Greets someone',
      arguments: [
        { name: 'who', description: 'Whom to greet', required: true },
        { name: 'tone', title: 'Tone' },
      ],
      completable: ['tone'],
    });
    expect(compiledPrompt(prompt).required).toEqual(['who']);
    expect(definePrompt({ name: 'plain', get: () => 'hi' }).descriptor).toEqual({ name: 'plain' });
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty name', { name: '', get: () => 'x' }, /name must be a non-empty string/],
    ['a missing get function', { name: 'p' }, /get must be a function/],
    [
      'an unnamed argument',
      { name: 'p', arguments: [{ name: '' }], get: () => 'x' },
      /every argument needs a non-empty name/,
    ],
    [
      'a duplicate argument',
      { name: 'p', arguments: [{ name: 'a' }, { name: 'a' }], get: () => 'x' },
      /argument "a" is declared twice/,
    ],
    [
      'a completer for an undeclared argument',
      { name: 'p', arguments: [{ name: 'a' }], get: () => 'x', complete: { b: () => [] } },
      /"b", which is not one of its arguments \(a\)/,
    ],
  ])('rejects %s', (_what, spec, message) => {
    expect(() => definePrompt(spec as never)).toThrow(
      expect.objectContaining({ code: NodeSdkErrorCode.InvalidPrompt, message: expect.stringMatching(message) }),
    );
  });
});
