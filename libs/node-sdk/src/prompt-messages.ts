import type { ContentBlock } from './tool-result.js';

export interface PromptMessage {
  role: 'user' | 'assistant';
  /** One content block: text, image, audio, resource_link or an embedded resource. */
  content: ContentBlock;
}

/** An MCP GetPromptResult. */
export interface GetPromptResult {
  description?: string;
  messages: readonly PromptMessage[];
  _meta?: Record<string, unknown>;
}

/** What a prompt's `get` returns: a string (one user text message), the messages, or a full result. */
export type PromptReturn = string | readonly PromptMessage[] | GetPromptResult;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function message(value: unknown, index: number): PromptMessage {
  const where = `messages[${index}]`;
  if (!isRecord(value)) throw new TypeError(`${where} is not an object`);
  if (value.role !== 'user' && value.role !== 'assistant')
    throw new TypeError(`${where}.role must be "user" or "assistant"`);
  if (!isRecord(value.content) || typeof value.content.type !== 'string')
    throw new TypeError(`${where}.content must be a content block with a type`);
  return value as unknown as PromptMessage;
}

/** Normalises a prompt's return value into a GetPromptResult; throws a TypeError naming what is wrong. */
export function shapePrompt(value: unknown): GetPromptResult {
  if (typeof value === 'string') return { messages: [{ role: 'user', content: { type: 'text', text: value } }] };
  if (Array.isArray(value)) return { messages: value.map(message) };
  if (!isRecord(value) || !Array.isArray(value.messages))
    throw new TypeError('expected a string, an array of messages or { messages: [...] }');
  if (value.description !== undefined && typeof value.description !== 'string')
    throw new TypeError('description must be a string');
  return { ...value, messages: value.messages.map(message) } as GetPromptResult;
}
