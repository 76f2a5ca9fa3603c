import { renderableFailure, renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import { McpProtocolError } from './jsonrpc.js';

/**
 * A thrown error that stops an MCP request, as the JSON-RPC error the error table names for its
 * code. Tool-level failures never get here: they are outcomes (see methods/tools-call.ts).
 */
export function rethrowAsProtocolError(error: unknown): never {
  if (error instanceof McpProtocolError) throw error;
  const failure = renderableFailure(error);
  if (failure === undefined)
    throw new McpProtocolError(renderingOf(GatewayErrorCode.Internal).jsonRpc, 'Internal error');
  throw new McpProtocolError(renderingOf(failure.code).jsonRpc, failure.message, { code: failure.code });
}
