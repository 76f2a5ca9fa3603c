import { WireErrorCode } from '@easyremote/protocol';
import type { ClientMethod } from './client-capabilities.js';
import type { CreateMessageResult, ElicitResult, ListRootsResult } from './client-types.js';
import { ToolError } from './errors.js';

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
