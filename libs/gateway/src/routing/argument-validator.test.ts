import type { ToolDescriptor } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { ArgumentValidator } from './argument-validator.js';

const descriptor: ToolDescriptor = {
  name: 'render',
  inputSchema: {
    type: 'object',
    properties: {
      prompt: { type: 'string' },
      width: { type: 'integer', default: 512 },
      options: { type: 'object', properties: { style: { type: 'string', default: 'plain' } }, required: ['style'] },
    },
    required: ['prompt', 'width'],
  },
};

describe('ArgumentValidator', () => {
  it('treats a required property with a default as present, like the node will', () => {
    const validator = new ArgumentValidator();
    expect(validator.check(descriptor, { prompt: 'a cat' })).toBeUndefined();
    expect(validator.check(descriptor, { prompt: 'a cat', options: {} })).toBeUndefined();
  });

  it('names every violation with its path', () => {
    const validator = new ArgumentValidator();
    expect(validator.check(descriptor, { width: 'wide' })).toMatch(/\/width: must be integer/);
    expect(validator.check(descriptor, { width: 3 })).toMatch(/prompt/);
  });

  it('does not change the arguments it checks', () => {
    const args = { prompt: 'x' };
    new ArgumentValidator().check(descriptor, args);
    expect(args).toEqual({ prompt: 'x' });
  });
});
