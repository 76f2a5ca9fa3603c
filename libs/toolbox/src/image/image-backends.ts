import { ToolError } from '@easyremote/node-sdk';
import { postJson, v1Url } from '../backend/post-json.js';
import { ToolboxErrorCode } from '../errors.js';
import type { ImageConfig } from './image-config.js';
import { renderProcedural } from './procedural-renderer.js';

export interface ImageRequest {
  readonly prompt: string;
  readonly style: string;
  readonly width: number;
  readonly height: number;
  readonly count: number;
}

/** Renders `count` images for one prompt; the renderer name goes into the result's metadata. */
export interface ImageBackend {
  readonly renderer: string;
  generate(request: ImageRequest, signal: AbortSignal): Promise<Buffer[]>;
}

/** The prompt a model sees: the style as a trailing phrase, as prompt writers do. */
function styledPrompt({ prompt, style }: ImageRequest): string {
  return style.trim() === '' ? prompt : `${prompt}, ${style} style`;
}

function decodeImages(values: unknown, count: number, what: string): Buffer[] {
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    !values.every((value) => typeof value === 'string' && value !== '')
  ) {
    throw new ToolError(ToolboxErrorCode.BackendBadResponse, `${what} answered without base64 images`);
  }
  return (values as string[]).slice(0, count).map((value) => Buffer.from(value, 'base64'));
}

/** POST /v1/images/generations with response_format b64_json (OpenAI, and servers that copy its API). */
function openAiImages(config: ImageConfig): ImageBackend {
  const what = `the image backend at ${config.baseUrl}`;
  return {
    renderer: `openai${config.model ? `:${config.model}` : ''}`,
    async generate(request, signal) {
      const body = (await postJson({
        url: v1Url(config.baseUrl!, 'images/generations'),
        apiKey: config.apiKey,
        timeoutMs: config.timeoutMs,
        signal,
        what,
        body: {
          ...(config.model ? { model: config.model } : {}),
          prompt: styledPrompt(request),
          n: request.count,
          size: `${request.width}x${request.height}`,
          // gpt-image models always answer base64 and reject the parameter.
          ...(config.model?.startsWith('gpt-image') ? {} : { response_format: 'b64_json' }),
        },
      })) as { data?: Array<{ b64_json?: unknown }> };
      return decodeImages(
        Array.isArray(body?.data) ? body.data.map((item) => item?.b64_json) : undefined,
        request.count,
        what,
      );
    },
  };
}

/** POST /sdapi/v1/txt2img of the Automatic1111 web UI (also Forge and SD.Next). */
function automatic1111(config: ImageConfig): ImageBackend {
  const what = `the Automatic1111 backend at ${config.baseUrl}`;
  return {
    renderer: 'automatic1111',
    async generate(request, signal) {
      const body = (await postJson({
        url: `${config.baseUrl!}/sdapi/v1/txt2img`,
        apiKey: config.apiKey,
        timeoutMs: config.timeoutMs,
        signal,
        what,
        body: {
          prompt: styledPrompt(request),
          negative_prompt: '',
          width: request.width,
          height: request.height,
          batch_size: request.count,
          n_iter: 1,
          steps: config.steps,
          seed: -1,
        },
      })) as { images?: unknown };
      return decodeImages(body?.images, request.count, what);
    },
  };
}

const procedural: ImageBackend = {
  renderer: 'procedural',
  async generate(request, signal) {
    const images: Buffer[] = [];
    for (let variant = 0; variant < request.count; variant += 1) {
      // Rendering is synchronous CPU work: yield between images so heartbeats and cancels get through.
      await new Promise((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
      images.push(renderProcedural(request.prompt, request.style, variant, request.width, request.height));
    }
    return images;
  },
};

export function createImageBackend(config: ImageConfig): ImageBackend {
  switch (config.backend) {
    case 'openai':
      return openAiImages(config);
    case 'automatic1111':
      return automatic1111(config);
    case 'procedural':
      return procedural;
  }
}
