import { type CallRequest, type InputRequest, WireErrorCode } from '@easyremote/protocol';
import { ToolError } from './errors.js';
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

export type ClientInfo = NonNullable<CallRequest['client']>;
export type ClientMethod = InputRequest['method'];

const FEATURE: Readonly<Record<ClientMethod, string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Why the client cannot take this request, or undefined when it can. MCP lets a server send a request
 * only for a capability the client declared; an empty `elicitation: {}` means form mode only (the
 * 2025-06-18 meaning), `{ url: {} }` alone means URL mode only, and sampling with `tools` needs
 * `sampling.tools`.
 */
export function unsupportedReason(
  client: ClientInfo | undefined,
  method: ClientMethod,
  params: Record<string, unknown>,
): string | undefined {
  const feature = FEATURE[method];
  const unsupported = `the client does not support ${feature}`;
  if (client === undefined) return `${unsupported} (the call did not say who the client is)`;
  const declared = record(client.capabilities[feature]);
  if (declared === undefined) return unsupported;
  if (method === 'elicitation/create') {
    if (params.mode === 'url') return 'url' in declared ? undefined : `${unsupported} in URL mode`;
    const formMode = 'form' in declared || !('url' in declared);
    return formMode ? undefined : `${unsupported} in form mode`;
  }
  if (method === 'sampling/createMessage' && params.tools !== undefined && !('tools' in declared)) {
    return `${unsupported} with tools`;
  }
  return undefined;
}

const ELICIT_ACTIONS: readonly unknown[] = ['accept', 'decline', 'cancel'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(method: ClientMethod, reason: string): ToolError {
  return new ToolError(WireErrorCode.ClientRequestFailed, `the client's ${method} result is malformed: ${reason}`);
}

/**
 * Checks the few fields a handler relies on, so a broken client fails the request here with a clear
 * code instead of as a TypeError deep inside the handler. Everything else passes through.
 */
export function asElicitResult(value: unknown): ElicitResult {
  if (!isRecord(value)) throw malformed('elicitation/create', 'not an object');
  if (!ELICIT_ACTIONS.includes(value.action))
    throw malformed(
      'elicitation/create',
      `action must be accept, decline or cancel, got ${JSON.stringify(value.action)}`,
    );
  if (value.content !== undefined && !isRecord(value.content))
    throw malformed('elicitation/create', 'content must be an object');
  return value as ElicitResult;
}

export function asCreateMessageResult(value: unknown): CreateMessageResult {
  if (!isRecord(value)) throw malformed('sampling/createMessage', 'not an object');
  if (typeof value.content !== 'object' || value.content === null)
    throw malformed('sampling/createMessage', 'content is missing');
  return value as CreateMessageResult;
}

export function asListRootsResult(value: unknown): ListRootsResult {
  if (!isRecord(value)) throw malformed('roots/list', 'not an object');
  if (!Array.isArray(value.roots)) throw malformed('roots/list', 'roots must be an array');
  return value as ListRootsResult;
}
