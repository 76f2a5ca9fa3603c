import type { NodeRpcResponse } from '@easyremote/protocol';
import { JsonRpcCode, McpProtocolError } from '../jsonrpc.js';

/** Node failures on resources/prompts/completions become JSON-RPC errors (these have no isError form). */
export function unwrapNodeResult(response: NodeRpcResponse, what: string): Record<string, unknown> {
  if (response.ok) return response.result;
  const { code, message } = response.error;
  if (code === 'NODE_ERR_NOT_FOUND') throw new McpProtocolError(JsonRpcCode.InvalidParams, `${what} not found`, { code });
  if (code === 'NODE_ERR_INVALID_ARGUMENTS') throw new McpProtocolError(JsonRpcCode.InvalidParams, message, { code });
  throw new McpProtocolError(JsonRpcCode.InternalError, `${message} [${code}]`, { code });
}
