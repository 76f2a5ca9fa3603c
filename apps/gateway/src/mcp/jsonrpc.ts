import { SerializedArray } from './serialized-array.js';

/** JSON-RPC 2.0 shapes and the standard error codes MCP uses. */
export const JsonRpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Streamable HTTP "Bad Request" / session errors (used by the SDK and the spec's examples). */
  ServerError: -32000,
  SessionNotFound: -32001,
} as const;

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export type JsonRpcMessageKind = 'request' | 'notification' | 'response' | 'invalid';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies one decoded JSON value as a JSON-RPC 2.0 message (or not). */
export function jsonRpcKind(value: unknown): JsonRpcMessageKind {
  if (!isPlainObject(value) || value.jsonrpc !== '2.0') return 'invalid';
  if ('params' in value && value.params !== undefined && !isPlainObject(value.params)) return 'invalid';
  if (typeof value.method === 'string') {
    if (!('id' in value)) return 'notification';
    return typeof value.id === 'string' || (typeof value.id === 'number' && Number.isFinite(value.id))
      ? 'request'
      : 'invalid';
  }
  if ('id' in value && ('result' in value || 'error' in value)) return 'response';
  return 'invalid';
}

/** An error a method handler throws to answer with a JSON-RPC error instead of a result. */
export class McpProtocolError extends Error {
  readonly rpcCode: number;
  readonly data: unknown;
  /** HTTP status for the error when it is the whole answer (2026-07-28 maps some errors to 4xx). */
  readonly httpStatus: number;

  constructor(rpcCode: number, message: string, data?: unknown, httpStatus = 200) {
    super(message);
    this.name = 'McpProtocolError';
    this.rpcCode = rpcCode;
    this.data = data;
    this.httpStatus = httpStatus;
  }
}

export function resultMessage(id: RequestId | null, result: unknown): string {
  if (isPlainObject(result)) {
    for (const key in result) if (result[key] instanceof SerializedArray) return spliced(id, result);
  }
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

/** A result with pre-serialised arrays among its top-level fields: their cached text goes in as is. */
function spliced(id: RequestId | null, result: Record<string, unknown>): string {
  const fields: string[] = [];
  for (const key in result) {
    const value = result[key];
    const text = value instanceof SerializedArray ? value.text : (JSON.stringify(value) as string | undefined);
    if (text !== undefined) fields.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{${fields.join(',')}}}`;
}

export function errorMessage(id: RequestId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

/** The id of a message that may be malformed, for echoing in an error (null when unusable). */
export function idOf(value: unknown): RequestId | null {
  if (!isPlainObject(value)) return null;
  const id = value.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** Thrown when the client cancelled the request: the spec says no response is sent for it. */
export class RequestCancelled extends Error {
  constructor() {
    super('request cancelled by the client');
    this.name = 'RequestCancelled';
  }
}
