import type { EnvReader } from '../config/env-reader.js';

/** An OpenAI-compatible chat-completions backend (vLLM, Ollama, llama.cpp server, OpenAI). */
export interface LlmConfig {
  /** EASYREMOTE_LLM_BASE_URL, e.g. http://127.0.0.1:11434 (Ollama) or https://api.openai.com/v1. */
  readonly baseUrl: string;
  /** EASYREMOTE_LLM_API_KEY, sent as a bearer token when set. */
  readonly apiKey: string | undefined;
  /** EASYREMOTE_LLM_MODELS: the models the backend serves; the node advertises them. */
  readonly models: readonly string[];
  /** EASYREMOTE_LLM_DEFAULT_MODEL: used when a call names none (default: the first model). */
  readonly defaultModel: string;
  /** EASYREMOTE_LLM_TIMEOUT_MS: longest wait for one completion (default 120 s). */
  readonly timeoutMs: number;
}

/** Undefined when no backend is configured: the tool is then not advertised. */
export function readLlmConfig(env: EnvReader): LlmConfig | undefined {
  const baseUrl = env.url('EASYREMOTE_LLM_BASE_URL');
  const models = env.list('EASYREMOTE_LLM_MODELS');
  const timeoutMs = env.integer('EASYREMOTE_LLM_TIMEOUT_MS', 120_000, 100, 3_600_000);
  const defaultModel = env.string('EASYREMOTE_LLM_DEFAULT_MODEL');
  if (baseUrl === undefined) {
    if (env.string('EASYREMOTE_LLM_BASE_URL') === undefined && (models !== undefined || defaultModel !== undefined)) {
      env.problem(
        'EASYREMOTE_LLM_MODELS',
        'is set but EASYREMOTE_LLM_BASE_URL is not: the node needs a backend to serve models',
      );
    }
    return undefined;
  }
  if (models === undefined || models.length === 0) {
    env.problem(
      'EASYREMOTE_LLM_MODELS',
      'must list the models the backend serves (comma-separated), so the node can advertise them',
    );
    return undefined;
  }
  if (defaultModel !== undefined && !models.includes(defaultModel)) {
    env.problem(
      'EASYREMOTE_LLM_DEFAULT_MODEL',
      `must be one of EASYREMOTE_LLM_MODELS (${models.join(', ')}), got ${JSON.stringify(defaultModel)}`,
    );
  }
  return Object.freeze({
    baseUrl,
    apiKey: env.string('EASYREMOTE_LLM_API_KEY'),
    models: Object.freeze(models),
    defaultModel: defaultModel ?? models[0]!,
    timeoutMs,
  });
}
