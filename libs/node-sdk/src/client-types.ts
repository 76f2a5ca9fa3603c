import type { ContentBlock } from './tool-result.js';

/**
 * What a handler can ask the client for, in MCP's shapes (2025-11-25). Only the fields the SDK reads
 * are spelled out; everything else passes through to the client unchanged.
 */

/** `elicitation/create` in form mode: a flat JSON Schema of primitive fields the user fills in. */
export interface ElicitFormParams {
  mode?: 'form';
  message: string;
  requestedSchema: Record<string, unknown>;
  [key: string]: unknown;
}

/** `elicitation/create` in URL mode: the client opens `url` (the client must declare `elicitation.url`). */
export interface ElicitUrlParams {
  mode: 'url';
  message: string;
  url: string;
  elicitationId: string;
  [key: string]: unknown;
}

export type ElicitParams = ElicitFormParams | ElicitUrlParams;

export interface ElicitResult {
  action: 'accept' | 'decline' | 'cancel';
  /** The submitted form fields, with `action: "accept"` in form mode. */
  content?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SamplingMessage {
  role: 'user' | 'assistant';
  content: ContentBlock | readonly ContentBlock[];
  [key: string]: unknown;
}

/** `sampling/createMessage`: ask the client's model for a completion. */
export interface CreateMessageParams {
  messages: readonly SamplingMessage[];
  maxTokens: number;
  systemPrompt?: string;
  [key: string]: unknown;
}

export interface CreateMessageResult {
  role: 'user' | 'assistant';
  content: ContentBlock | readonly ContentBlock[];
  model: string;
  stopReason?: string;
  [key: string]: unknown;
}

export interface Root {
  uri: string;
  name?: string;
  [key: string]: unknown;
}

export interface ListRootsResult {
  roots: Root[];
  [key: string]: unknown;
}
