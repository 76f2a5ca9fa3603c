import { hasErrorCode } from '@easyremote/protocol';
import { GatewayErrorCode } from '../errors.js';
import { JsonRpcCode, McpProtocolError } from './jsonrpc.js';

/**
 * The one place where gateway errors that stop a request become JSON-RPC errors. Tool-level failures
 * never get here: they are `isError` results (see methods/tools-call.ts).
 */
export function rethrowAsProtocolError(error: unknown): never {
  if (error instanceof McpProtocolError) throw error;
  if (hasErrorCode(error, GatewayErrorCode.ToolNotFound)) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, (error as Error).message, { code: GatewayErrorCode.ToolNotFound });
  }
  if (hasErrorCode(error, GatewayErrorCode.InvalidPlacement)) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, (error as Error).message, { code: GatewayErrorCode.InvalidPlacement });
  }
  if (hasErrorCode(error, GatewayErrorCode.PayloadTooLarge)) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, (error as Error).message, { code: GatewayErrorCode.PayloadTooLarge });
  }
  if (hasErrorCode(error, GatewayErrorCode.Unavailable)) {
    throw new McpProtocolError(JsonRpcCode.InternalError, (error as Error).message, { code: GatewayErrorCode.Unavailable });
  }
  throw new McpProtocolError(JsonRpcCode.InternalError, 'Internal error');
}
