import { runFanout, runTool } from '@easyremote/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAutomatic1111 } from '../../../../test/fixtures/fake-automatic1111.js';
import { startFakeOpenAi, type FakeServer } from '../../../../test/fixtures/fake-openai.js';
import { EnvReader } from '../config/env-reader.js';
import { ToolboxErrorCode } from '../errors.js';
import { createImageBackend } from './image-backends.js';
import { readImageConfig } from './image-config.js';
import { createImageGenerationTool } from './image-generation-tool.js';
import { pngSize } from './png-encoder.js';

function toolWith(env: Record<string, string>) {
  const reader = new EnvReader({ EASYREMOTE_IMAGE_ALLOW_CPU: '1', EASYREMOTE_IMAGE_TIMEOUT_MS: '2000', ...env });
  const config = readImageConfig(reader);
  reader.finish();
  return createImageGenerationTool(config, createImageBackend(config));
}

interface ImageResult {
  content: Array<{ type: string; mimeType?: string; data?: string }>;
  structuredContent: { images: Array<Record<string, unknown>>; metadata: Record<string, unknown> };
}

function result(response: Awaited<ReturnType<typeof runTool>>): ImageResult {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  if (!('result' in response)) throw new Error('input required');
  return response.result as unknown as ImageResult;
}

describe('OpenAI-images-compatible backend', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeOpenAi({ apiKey: 'sk-img', models: ['dall-e-2'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('posts /v1/images/generations with b64_json and returns the images as PNG content', async () => {
    const tool = toolWith({
      EASYREMOTE_IMAGE_BACKEND: 'openai',
      EASYREMOTE_IMAGE_BASE_URL: server.url,
      EASYREMOTE_IMAGE_API_KEY: 'sk-img',
      EASYREMOTE_IMAGE_MODEL: 'dall-e-2',
    });
    const { content, structuredContent } = result(
      await runFanout(tool, {
        prompts: ['a cat', 'a dog'],
        style: 'anime',
        resolution: '256x256',
        num_images_per_prompt: 2,
      }),
    );
    expect(content.filter((block) => block.type === 'image')).toHaveLength(4);
    expect(pngSize(Buffer.from(content[1]!.data!, 'base64'))).toEqual({ width: 256, height: 256 });
    expect(structuredContent.metadata).toMatchObject({ total_images: 4, renderer: 'openai:dall-e-2' });
    expect(server.requests.at(-1)).toMatchObject({
      path: '/v1/images/generations',
      headers: { authorization: 'Bearer sk-img' },
      body: { model: 'dall-e-2', prompt: 'a dog, anime style', n: 2, size: '256x256', response_format: 'b64_json' },
    });
  });

  it('maps the API errors', async () => {
    const tool = toolWith({
      EASYREMOTE_IMAGE_BACKEND: 'openai',
      EASYREMOTE_IMAGE_BASE_URL: server.url,
      EASYREMOTE_IMAGE_API_KEY: 'sk-img',
      EASYREMOTE_IMAGE_MODEL: 'dall-e-9',
    });
    expect(await runTool(tool, { prompts: ['x'], resolution: '64x64' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendRejected, message: expect.stringContaining('dall-e-9') },
    });
    server.failNext({
      status: 400,
      body: {
        error: {
          message: 'Your request was rejected as a result of our safety system.',
          type: 'invalid_request_error',
          param: null,
          code: 'content_policy_violation',
        },
      },
    });
    const ok = toolWith({
      EASYREMOTE_IMAGE_BACKEND: 'openai',
      EASYREMOTE_IMAGE_BASE_URL: server.url,
      EASYREMOTE_IMAGE_API_KEY: 'sk-img',
    });
    expect(await runTool(ok, { prompts: ['x'], resolution: '64x64' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendRejected, message: expect.stringContaining('safety system') },
    });
    server.failNext({ status: 200, body: { created: 1, data: [] } });
    expect(await runTool(ok, { prompts: ['x'], resolution: '64x64' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendBadResponse },
    });
  });
});

describe('Automatic1111 backend', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeAutomatic1111();
  });
  afterAll(async () => {
    await server.close();
  });

  it('posts /sdapi/v1/txt2img and returns its base64 images', async () => {
    const tool = toolWith({
      EASYREMOTE_IMAGE_BACKEND: 'automatic1111',
      EASYREMOTE_IMAGE_BASE_URL: server.url,
      EASYREMOTE_IMAGE_STEPS: '12',
    });
    const { content, structuredContent } = result(
      await runTool(tool, { prompts: ['a castle'], resolution: '128x96', num_images_per_prompt: 3 }),
    );
    expect(
      content.filter((block) => block.type === 'image').map((block) => pngSize(Buffer.from(block.data!, 'base64'))),
    ).toEqual(Array(3).fill({ width: 128, height: 96 }));
    expect(structuredContent.metadata).toMatchObject({ total_images: 3, renderer: 'automatic1111' });
    expect(server.requests.at(-1)).toMatchObject({
      path: '/sdapi/v1/txt2img',
      body: { prompt: 'a castle, realistic style', width: 128, height: 96, batch_size: 3, steps: 12 },
    });
  });

  it('maps FastAPI validation errors, failures and timeouts', async () => {
    const tool = toolWith({
      EASYREMOTE_IMAGE_BACKEND: 'automatic1111',
      EASYREMOTE_IMAGE_BASE_URL: server.url,
      EASYREMOTE_IMAGE_TIMEOUT_MS: '500',
    });
    server.failNext({
      status: 422,
      body: { detail: [{ loc: ['body', 'width'], msg: 'value is not a valid integer', type: 'type_error.integer' }] },
    });
    expect(await runTool(tool, { prompts: ['x'], resolution: '64x64' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendRejected, message: expect.stringContaining('not a valid integer') },
    });
    server.failNext({
      status: 500,
      body: { error: 'OutOfMemoryError', detail: '', body: '', errors: 'CUDA out of memory' },
    });
    expect(await runTool(tool, { prompts: ['x'], resolution: '64x64' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendFailed, message: expect.stringContaining('OutOfMemoryError') },
    });
    server.failNext({ status: 200, body: { images: [] }, delayMs: 1000 });
    expect(await runTool(tool, { prompts: ['x'], resolution: '64x64' })).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.BackendTimeout },
    });
  });

  it('needs a base URL when a model backend is chosen', () => {
    const reader = new EnvReader({ EASYREMOTE_IMAGE_BACKEND: 'automatic1111' });
    readImageConfig(reader);
    expect(() => reader.finish()).toThrow(/EASYREMOTE_IMAGE_BASE_URL is required/);
  });
});
