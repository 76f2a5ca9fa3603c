import { GatewayErrorCode } from '../../errors.js';
import type { InvokeOutcome, ToolInvoker } from '../../routing/tool-invoker.js';
import type { McpCallContext } from '../call-context.js';
import { JsonRpcCode, McpProtocolError } from '../jsonrpc.js';
import { rethrowAsProtocolError } from '../error-mapping.js';

/** `_meta` key naming the node that served a call. */
export const NODE_META_KEY = 'easyremote/node';
/** `_meta` key carrying the stable error code of a failed call. */
export const ERROR_META_KEY = 'easyremote/error';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `tools/call`: checks the params' shape, routes through the invoker, renders the MCP result. */
export async function callTool(params: Record<string, unknown>, context: McpCallContext, invoker: ToolInvoker): Promise<Record<string, unknown>> {
  const name = params.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, 'tools/call needs a string "name"');
  }
  const args = params.arguments ?? {};
  if (!isPlainObject(args)) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, 'tools/call "arguments" must be an object');
  }
  const meta = isPlainObject(params._meta) ? params._meta : undefined;
  let outcome: InvokeOutcome;
  try {
    outcome = await invoker.invoke({ tool: name, arguments: args, signal: context.signal, ...(meta ? { meta } : {}) });
  } catch (error) {
    rethrowAsProtocolError(error);
  }
  return renderOutcome(outcome);
}

/** A call outcome as an MCP CallToolResult: failures become `isError` results the model can read. */
export function renderOutcome(outcome: InvokeOutcome): Record<string, unknown> {
  if (outcome.ok) {
    const result: Record<string, unknown> = { ...outcome.result };
    if (outcome.nodeId !== undefined) result._meta = { ...(outcome.result._meta ?? {}), [NODE_META_KEY]: outcome.nodeId };
    return result;
  }
  const { code, message } = outcome.error;
  const meta: Record<string, unknown> = { [ERROR_META_KEY]: { code, message } };
  if (outcome.nodeId !== undefined) meta[NODE_META_KEY] = outcome.nodeId;
  const text = code === GatewayErrorCode.InvalidArguments ? message : `${message} [${code}]`;
  return { content: [{ type: 'text', text }], isError: true, _meta: meta };
}
