import { randomUUID } from 'node:crypto';
import type { SessionState } from '../session-token.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../protocol-error.js';
import {
  INSTRUCTIONS,
  LATEST_LEGACY_VERSION,
  SERVER_CAPABILITIES,
  SERVER_INFO,
  SUPPORTED_LEGACY_VERSIONS,
} from '../server-info.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The 2025-era handshake. Negotiates the version (the client's when we speak it, else our latest)
 * and returns the state the session id will carry.
 */
export function initialize(
  params: Record<string, unknown> | undefined,
  now: number,
): { result: Record<string, unknown>; session: SessionState } {
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
    result: { protocolVersion, capabilities: SERVER_CAPABILITIES, serverInfo: SERVER_INFO, instructions: INSTRUCTIONS },
    session,
  };
}
