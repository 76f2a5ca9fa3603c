import { isToolDefinition } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import defaultTools, { tools } from './tools.js';

describe('tools module', () => {
  it('exports the same tool array as `tools` and as the default export', () => {
    expect(defaultTools).toBe(tools);
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'checksum']);
    expect(tools.every(isToolDefinition)).toBe(true);
  });
});
