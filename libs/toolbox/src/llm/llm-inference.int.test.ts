import { runTool } from '@easyremote/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeServer } from '../../../../test/fixtures/fake-openai.js';
import { EnvReader } from '../config/env-reader.js';
import { ToolboxErrorCode } from '../errors.js';
import { readLlmConfig } from './llm-config.js';
import { createLlmInferenceTool } from './llm-inference-tool.js';

function toolFor(env: Record<string, string>) {
  const reader = new EnvReader(env);
  const config = readLlmConfig(reader);
  reader.finish();
  if (config === undefined) throw new Error('no LLM configured');
  return createLlmInferenceTool(config);
}

describe('distributed_llm_inference on an OpenAI-compatible backend', () => {
  let server: FakeServer;
  let tool: ReturnType<typeof toolFor>;

  beforeAll(async () => {
    server = await startFakeOpenAi({ apiKey: 'sk-test', models: ['llama3', 'qwen2'] });
    tool = toolFor({
      EASYREMOTE_LLM_BASE_URL: `${server.url}/v1`,
      EASYREMOTE_LLM_API_KEY: 'sk-test',
      EASYREMOTE_LLM_MODELS: 'llama3,qwen2',
      EASYREMOTE_LLM_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends a chat completion and answers the seed fields', async () => {
    const response = await runTool(tool, {
      prompt: 'What is quantum computing?',
      model: 'qwen2',
      max_tokens: 50,
      temperature: 0.2,
    });
    expect(response).toMatchObject({
      ok: true,
      result: {
        structuredContent: {
          text: 'Echo from qwen2: What is quantum computing?',
          tokens_generated: 7,
          model_used: 'qwen2',
          finish_reason: 'stop',
          execution_time: expect.any(Number),
        },
      },
    });
    expect(server.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-test' },
      body: {
        model: 'qwen2',
        messages: [{ role: 'user', content: 'What is quantum computing?' }],
        max_tokens: 50,
        temperature: 0.2,
        stream: false,
      },
    });
  });

  it('uses the seed defaults and the node default model', async () => {
    const response = await runTool(tool, { prompt: 'one two three four' });
    expect(response).toMatchObject({
      ok: true,
      result: { structuredContent: { model_used: 'llama3', tokens_generated: 7 } },
    });
    expect(server.requests.at(-1)?.body).toMatchObject({ model: 'llama3', max_tokens: 1000, temperature: 0.7 });
    const truncated = await runTool(tool, { prompt: 'one two three four', max_tokens: 3 });
    expect(truncated).toMatchObject({
      ok: true,
      result: { structuredContent: { text: 'Echo from llama3:', tokens_generated: 3, finish_reason: 'length' } },
    });
  });

  it('declares that the node must serve the requested model', () => {
    expect(tool.descriptor).toMatchObject({
      name: 'distributed_llm_inference',
      requirements: { modelArgument: 'model' },
      inputSchema: { required: ['prompt'] },
    });
  });

  it('refuses a model this node does not serve before calling the backend', async () => {
    const before = server.requests.length;
    expect(await runTool(tool, { prompt: 'hi', model: 'gpt-4' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.ModelNotServed, message: expect.stringContaining('llama3, qwen2') },
    });
    expect(server.requests.length).toBe(before);
  });

  it.each([
    [
      400,
      {
        error: {
          message: "Invalid value for 'temperature'",
          type: 'invalid_request_error',
          param: 'temperature',
          code: null,
        },
      },
      ToolboxErrorCode.BackendRejected,
      "Invalid value for 'temperature'",
    ],
    [
      401,
      {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
      ToolboxErrorCode.BackendRejected,
      'HTTP 401: Incorrect API key',
    ],
    [
      429,
      { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      ToolboxErrorCode.BackendRateLimited,
      'Rate limit reached',
    ],
    [
      500,
      { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } },
      ToolboxErrorCode.BackendFailed,
      'HTTP 500',
    ],
    [503, 'upstream connect error', ToolboxErrorCode.BackendFailed, 'upstream connect error'],
  ])('maps HTTP %i to a clear tool error', async (status, body, code, message) => {
    server.failNext({ status, body });
    expect(await runTool(tool, { prompt: 'hi' })).toMatchObject({
      ok: false,
      error: { code, message: expect.stringContaining(message) },
    });
  });

  it('reports a wrong key, a slow backend, a malformed answer and a backend that is down', async () => {
    const wrongKey = toolFor({
      EASYREMOTE_LLM_BASE_URL: server.url,
      EASYREMOTE_LLM_API_KEY: 'sk-wrong',
      EASYREMOTE_LLM_MODELS: 'llama3',
    });
    expect(await runTool(wrongKey, { prompt: 'hi' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendRejected, message: expect.stringContaining('Incorrect API key') },
    });

    server.failNext({ status: 200, body: {}, delayMs: 1_500 });
    expect(await runTool(tool, { prompt: 'hi' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendTimeout },
    });

    server.failNext({ status: 200, body: { choices: [] } });
    expect(await runTool(tool, { prompt: 'hi' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendBadResponse },
    });

    const closed = await startFakeOpenAi();
    await closed.close(); // a port where nothing listens any more
    const down = toolFor({ EASYREMOTE_LLM_BASE_URL: closed.url, EASYREMOTE_LLM_MODELS: 'llama3' });
    expect(await runTool(down, { prompt: 'hi' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendUnreachable, message: expect.stringContaining('ECONNREFUSED') },
    });
  });
});

describe('LLM configuration', () => {
  it('is absent without a base URL and needs the model list with one', () => {
    expect(readLlmConfig(new EnvReader({}))).toBeUndefined();
    const reader = new EnvReader({ EASYREMOTE_LLM_BASE_URL: 'http://127.0.0.1:11434' });
    readLlmConfig(reader);
    expect(() => reader.finish()).toThrow(/EASYREMOTE_LLM_MODELS must list/);
    const bad = new EnvReader({ EASYREMOTE_LLM_BASE_URL: 'ftp://x', EASYREMOTE_LLM_MODELS: 'a' });
    readLlmConfig(bad);
    expect(() => bad.finish()).toThrow(/EASYREMOTE_LLM_BASE_URL must be an http\(s\) URL/);
  });
});
