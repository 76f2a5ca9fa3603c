import type { McpCallContext } from '../call-context.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../protocol-error.js';
import { isLogLevel, LOG_LEVELS } from '../log-levels.js';
import type { McpServices } from '../services.js';

function sidOf(context: McpCallContext): string {
  if (context.sid === undefined)
    throw new McpProtocolError(ProtocolErrorCode.MethodNotFound, 'This method needs a 2025-era session');
  return context.sid;
}

/** `logging/setLevel` (2025): stored with the session, so every replica filters the same way. */
export async function setLogLevel(
  params: Record<string, unknown>,
  context: McpCallContext,
  services: McpServices,
): Promise<Record<string, unknown>> {
  if (!isLogLevel(params.level))
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `level must be one of ${LOG_LEVELS.join(', ')}`);
  await services.sessionStore.update(sidOf(context), { logLevel: params.level });
  return {};
}

function uriOf(params: Record<string, unknown>): string {
  if (typeof params.uri !== 'string' || params.uri.length === 0)
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'needs a string "uri"');
  return params.uri;
}

/** `resources/subscribe` (2025): updates for the URI go to the session's GET stream, on any replica. */
export async function subscribe(
  params: Record<string, unknown>,
  context: McpCallContext,
  services: McpServices,
): Promise<Record<string, unknown>> {
  const sid = sidOf(context);
  const uri = uriOf(params);
  const current = services.sessionStore.get(sid)?.subscriptions ?? [];
  if (!current.includes(uri)) await services.sessionStore.update(sid, { subscriptions: [...current, uri] });
  return {};
}

export async function unsubscribe(
  params: Record<string, unknown>,
  context: McpCallContext,
  services: McpServices,
): Promise<Record<string, unknown>> {
  const sid = sidOf(context);
  const uri = uriOf(params);
  const current = services.sessionStore.get(sid)?.subscriptions ?? [];
  if (current.includes(uri))
    await services.sessionStore.update(sid, { subscriptions: current.filter((item) => item !== uri) });
  return {};
}
