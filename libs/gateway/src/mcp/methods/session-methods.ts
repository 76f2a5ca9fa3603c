import { ProtocolErrorCode, type EmptyResult, type InitializeResult } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import type { McpCallContext, WireParams } from '../call-context.js';
import { isLogLevel, LOG_LEVELS } from '../log-levels.js';
import { McpProtocolError } from '../protocol-error.js';
import {
  INSTRUCTIONS,
  LATEST_LEGACY_VERSION,
  LEGACY_CAPABILITIES,
  SERVER_CAPABILITIES,
  SERVER_INFO,
  SUPPORTED_LEGACY_VERSIONS,
} from '../server-info.js';
import type { McpServices } from '../services.js';
import type { SessionState } from '../session-token.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The 2025-era handshake. Negotiates the version (the client's when we speak it, else our latest)
 * and returns the state the session id will carry.
 */
export function initialize(
  params: WireParams<'initialize'> | undefined,
  now: number,
  tasks = true,
): { result: InitializeResult; session: SessionState } {
  const requested = params?.protocolVersion;
  const clientInfo = params?.clientInfo;
  const capabilities = params?.capabilities;
  if (
    typeof requested !== 'string' ||
    !isPlainObject(clientInfo) ||
    typeof clientInfo.name !== 'string' ||
    !isPlainObject(capabilities)
  ) {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'initialize needs params { protocolVersion: string, capabilities: object, clientInfo: { name, version } }',
    );
  }
  const protocolVersion = SUPPORTED_LEGACY_VERSIONS.includes(requested) ? requested : (LATEST_LEGACY_VERSION as string);
  const session: SessionState = {
    sid: randomUUID().replaceAll('-', ''),
    protocolVersion,
    clientCapabilities: capabilities,
    clientInfo: {
      ...clientInfo,
      name: clientInfo.name,
      version: typeof clientInfo.version === 'string' ? clientInfo.version : '',
    },
    issuedAt: now,
  };
  return {
    result: {
      protocolVersion,
      // A gateway with tasks off does not offer them (it ignores params.task).
      capabilities: tasks ? LEGACY_CAPABILITIES : SERVER_CAPABILITIES,
      serverInfo: SERVER_INFO,
      instructions: INSTRUCTIONS,
    },
    session,
  };
}

function sidOf(context: McpCallContext): string {
  if (context.sid === undefined)
    throw new McpProtocolError(ProtocolErrorCode.MethodNotFound, 'This method needs a 2025-era session');
  return context.sid;
}

/** `logging/setLevel` (2025): stored with the session, so every replica filters the same way. */
export async function setLogLevel(
  params: WireParams<'logging/setLevel'>,
  context: McpCallContext,
  services: McpServices,
): Promise<EmptyResult> {
  if (!isLogLevel(params.level))
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `level must be one of ${LOG_LEVELS.join(', ')}`);
  await services.sessionStore.update(sidOf(context), { logLevel: params.level });
  return {};
}

function uriOf(params: WireParams<'resources/subscribe' | 'resources/unsubscribe'>): string {
  if (typeof params.uri !== 'string' || params.uri.length === 0)
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'needs a string "uri"');
  return params.uri;
}

/** `resources/subscribe` (2025): updates for the URI go to the session's GET stream, on any replica. */
export async function subscribe(
  params: WireParams<'resources/subscribe'>,
  context: McpCallContext,
  services: McpServices,
): Promise<EmptyResult> {
  const sid = sidOf(context);
  const uri = uriOf(params);
  const current = services.sessionStore.get(sid)?.subscriptions ?? [];
  if (!current.includes(uri)) await services.sessionStore.update(sid, { subscriptions: [...current, uri] });
  return {};
}

export async function unsubscribe(
  params: WireParams<'resources/unsubscribe'>,
  context: McpCallContext,
  services: McpServices,
): Promise<EmptyResult> {
  const sid = sidOf(context);
  const uri = uriOf(params);
  const current = services.sessionStore.get(sid)?.subscriptions ?? [];
  if (current.includes(uri))
    await services.sessionStore.update(sid, { subscriptions: current.filter((item) => item !== uri) });
  return {};
}
