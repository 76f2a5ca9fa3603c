import { ProtocolError } from '@modelcontextprotocol/server';

/**
 * JSON-RPC codes of the Streamable HTTP transport that the SDK uses but does not export. Every other
 * code comes from the SDK's `ProtocolErrorCode`.
 */
export const TransportErrorCode = {
  /** "Bad Request" and session errors (the SDK's transports and the spec's examples). */
  ServerError: -32000,
  /** A 2025-era session id the server does not know. */
  SessionNotFound: -32001,
  /** 2026-07-28: a request's `Mcp-*` headers disagree with its body (the draft schema's HEADER_MISMATCH). */
  HeaderMismatch: -32020,
} as const;

/**
 * What a method handler throws to answer with a JSON-RPC error instead of a result: the SDK's
 * `ProtocolError`, with the HTTP status the answer goes out with when it is the whole answer
 * (2026-07-28 maps some errors to 4xx).
 */
export class McpProtocolError extends ProtocolError {
  readonly httpStatus: number;

  constructor(code: number, message: string, data?: unknown, httpStatus = 200) {
    super(code, message, data);
    this.name = 'McpProtocolError';
    this.httpStatus = httpStatus;
  }
}

/** Thrown when the client cancelled the request: the spec says no response is sent for it. */
export class RequestCancelled extends Error {
  constructor() {
    super('request cancelled by the client');
    this.name = 'RequestCancelled';
  }
}
