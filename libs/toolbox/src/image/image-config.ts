import type { EnvReader } from '../config/env-reader.js';

export const IMAGE_BACKENDS = ['procedural', 'openai', 'automatic1111'] as const;
export type ImageBackendKind = (typeof IMAGE_BACKENDS)[number];

/** What the operator sets for `distributed_image_generation` (env, read once at start). */
export interface ImageConfig {
  /** EASYREMOTE_IMAGE_BACKEND: procedural (built in, default), openai or automatic1111. */
  readonly backend: ImageBackendKind;
  /** EASYREMOTE_IMAGE_BASE_URL: the API server (required for openai and automatic1111). */
  readonly baseUrl: string | undefined;
  /** EASYREMOTE_IMAGE_API_KEY: bearer token (openai). */
  readonly apiKey: string | undefined;
  /** EASYREMOTE_IMAGE_MODEL: `model` sent to an OpenAI-compatible API (dall-e-3, gpt-image-1, ...). */
  readonly model: string | undefined;
  /** EASYREMOTE_IMAGE_STEPS: sampling steps for automatic1111 (default 20). */
  readonly steps: number;
  /** EASYREMOTE_IMAGE_ALLOW_CPU=1: serve without a GPU (drops the tool's `gpu` requirement). */
  readonly allowCpu: boolean;
  /** EASYREMOTE_IMAGE_MAX_PIXELS: largest width × height accepted (default 4 Mpx). */
  readonly maxPixels: number;
  /** EASYREMOTE_IMAGE_TIMEOUT_MS: longest wait for one backend request (default 300 s). */
  readonly timeoutMs: number;
}

export function readImageConfig(env: EnvReader): ImageConfig {
  const backend = env.oneOf('EASYREMOTE_IMAGE_BACKEND', IMAGE_BACKENDS, 'procedural');
  const baseUrl = env.url('EASYREMOTE_IMAGE_BASE_URL');
  if (backend !== 'procedural' && baseUrl === undefined && env.string('EASYREMOTE_IMAGE_BASE_URL') === undefined) {
    env.problem('EASYREMOTE_IMAGE_BASE_URL', `is required with EASYREMOTE_IMAGE_BACKEND=${backend}`);
  }
  return Object.freeze({
    backend,
    baseUrl,
    apiKey: env.string('EASYREMOTE_IMAGE_API_KEY'),
    model: env.string('EASYREMOTE_IMAGE_MODEL'),
    steps: env.integer('EASYREMOTE_IMAGE_STEPS', 20, 1, 500),
    allowCpu: env.flag('EASYREMOTE_IMAGE_ALLOW_CPU', false),
    maxPixels: env.integer('EASYREMOTE_IMAGE_MAX_PIXELS', 4 * 1024 * 1024, 1),
    timeoutMs: env.integer('EASYREMOTE_IMAGE_TIMEOUT_MS', 300_000, 100, 3_600_000),
  });
}
