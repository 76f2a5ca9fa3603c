import { isToolDefinition } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import { createToolbox, createToolboxTools } from './create-toolbox.js';
import { ToolboxErrorCode } from './errors.js';
import defaultTools, { models, tools } from './tools.js';

const SEED_TOOLS = ['parallel_data_processing', 'distributed_image_generation', 'distributed_code_execution'];

describe('tools module', () => {
  it('exports the same tool array as `tools` and as the default export', () => {
    expect(defaultTools).toBe(tools);
    expect(tools.every(isToolDefinition)).toBe(true);
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'checksum', ...SEED_TOOLS]));
    expect(Array.isArray(models)).toBe(true);
  });
});

describe('createToolboxTools(env)', () => {
  it('leaves the LLM tool out without a backend and adds it with one', () => {
    expect(createToolboxTools({}).map((tool) => tool.name)).toEqual(['echo', 'checksum', ...SEED_TOOLS]);
    const toolbox = createToolbox({
      EASYREMOTE_LLM_BASE_URL: 'http://127.0.0.1:11434',
      EASYREMOTE_LLM_MODELS: 'llama3, qwen2',
    });
    expect(toolbox.tools.map((tool) => tool.name)).toEqual([
      'echo',
      'checksum',
      'distributed_llm_inference',
      ...SEED_TOOLS,
    ]);
    expect(toolbox.models).toEqual(['llama3', 'qwen2']);
  });

  it('reports every bad variable at once', () => {
    const bad = () =>
      createToolbox({
        EASYREMOTE_LLM_BASE_URL: 'http://127.0.0.1:11434',
        EASYREMOTE_SANDBOX_MAX_MEMORY: 'lots',
        EASYREMOTE_IMAGE_BACKEND: 'dalle',
        EASYREMOTE_DATA_DIR: 'relative/dir',
        EASYREMOTE_ALLOW_UNSANDBOXED: 'maybe',
      });
    expect(bad).toThrow(expect.objectContaining({ code: ToolboxErrorCode.InvalidConfig }));
    for (const key of [
      'EASYREMOTE_LLM_MODELS',
      'EASYREMOTE_DATA_DIR',
      'EASYREMOTE_IMAGE_BACKEND',
      'EASYREMOTE_ALLOW_UNSANDBOXED',
      'EASYREMOTE_SANDBOX_MAX_MEMORY',
    ]) {
      expect(bad).toThrow(new RegExp(`\\n  ${key} `));
    }
  });
});
