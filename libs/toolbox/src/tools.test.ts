import { isToolDefinition } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import { createToolbox, createToolboxTools } from './create-toolbox.js';
import { ToolboxErrorCode } from './errors.js';
import { createToolboxNode, fromEnvironment } from './index.js';

const SEED_TOOLS = ['parallel_data_processing', 'distributed_image_generation', 'distributed_code_execution'];

describe('tools module', () => {
  it('builds the toolbox from the environment it is handed, reading none itself', async () => {
    const toolbox = fromEnvironment({ EASYREMOTE_LLM_BASE_URL: 'http://127.0.0.1:11434', EASYREMOTE_LLM_MODELS: 'm1' });
    try {
      expect(toolbox.tools.every(isToolDefinition)).toBe(true);
      expect(toolbox.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['echo', 'checksum', 'distributed_llm_inference', ...SEED_TOOLS]),
      );
      expect(toolbox.models).toEqual(['m1']);
    } finally {
      await toolbox.close();
    }
    expect(() => fromEnvironment({ EASYREMOTE_SANDBOX_MAX_MEMORY: 'lots' })).toThrow(
      expect.objectContaining({ code: ToolboxErrorCode.InvalidConfig }),
    );
  });

  it('createToolboxNode registers every tool of the toolbox built from env', async () => {
    const { node, toolbox } = createToolboxNode(
      { servers: ['nats://127.0.0.1:1'], models: ['own'] },
      { EASYREMOTE_LLM_BASE_URL: 'http://127.0.0.1:11434', EASYREMOTE_LLM_MODELS: 'm1' },
    );
    try {
      expect(node.tools.map((tool) => tool.name)).toContain('distributed_llm_inference');
    } finally {
      await toolbox.close();
    }
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
