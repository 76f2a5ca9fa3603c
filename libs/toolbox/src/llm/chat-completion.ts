import { ToolError } from '@easyremote/node-sdk';
import { postJson, v1Url } from '../backend/post-json.js';
import { ToolboxErrorCode } from '../errors.js';
import type { LlmConfig } from './llm-config.js';

export interface ChatRequest {
  readonly model: string;
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature: number;
}

export interface ChatAnswer {
  readonly text: string;
  /** `usage.completion_tokens`; undefined when the server reports no usage. */
  readonly completionTokens: number | undefined;
  /** The model the server says it ran (may be a dated variant of the one asked for). */
  readonly model: string | undefined;
  readonly finishReason: string | undefined;
}

interface ChatCompletionBody {
  model?: unknown;
  choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }>;
  usage?: { completion_tokens?: unknown };
}

/** One `POST /v1/chat/completions` (non-streaming), the API vLLM, Ollama, llama.cpp server and OpenAI share. */
export async function chatCompletion(
  config: LlmConfig,
  request: ChatRequest,
  signal: AbortSignal,
): Promise<ChatAnswer> {
  const url = v1Url(config.baseUrl, 'chat/completions');
  const body = (await postJson({
    url,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    signal,
    what: `the LLM backend at ${config.baseUrl}`,
    body: {
      model: request.model,
      messages: [{ role: 'user', content: request.prompt }],
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      stream: false,
    },
  })) as ChatCompletionBody;
  const choice = Array.isArray(body?.choices) ? body.choices[0] : undefined;
  const content = choice?.message?.content;
  if (typeof content !== 'string') {
    throw new ToolError(
      ToolboxErrorCode.BackendBadResponse,
      `the LLM backend at ${config.baseUrl} answered without choices[0].message.content`,
    );
  }
  const tokens = body.usage?.completion_tokens;
  return {
    text: content,
    completionTokens: Number.isInteger(tokens) ? (tokens as number) : undefined,
    model: typeof body.model === 'string' ? body.model : undefined,
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
  };
}
