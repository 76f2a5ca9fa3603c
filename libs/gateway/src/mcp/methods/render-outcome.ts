import { MetaKey } from '@easyremote/protocol';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { GatewayErrorCode } from '../../errors.js';
import type { CallOutcome } from '../../pipeline/call-pipeline.js';

/** `_meta` key naming the node that served a call. */
export const NODE_META_KEY = 'easyremote/node';
/** `_meta` key carrying the stable error code of a failed call. */
export const ERROR_META_KEY = 'easyremote/error';

/**
 * A finished call as an MCP CallToolResult: a tool's failure becomes an `isError` result the model
 * can read, with the stable code in `_meta["easyremote/error"]`; the serving node and (after a retry)
 * the attempts travel in `_meta` too.
 */
export function renderOutcome(outcome: Exclude<CallOutcome, { kind: 'input' | 'task' }>): CallToolResult {
  const retried = outcome.attempts !== undefined && outcome.attempts > 1;
  if (outcome.kind === 'result') {
    // A tool result is relayed as the node built it: the codec checked its envelope (content is an
    // array of objects), the client's SDK checks the content blocks.
    const result = outcome.result as CallToolResult;
    if (outcome.nodeId === undefined && !retried) return result;
    const meta: Record<string, unknown> = { ...(result._meta ?? {}) };
    if (outcome.nodeId !== undefined) meta[NODE_META_KEY] = outcome.nodeId;
    if (retried) meta[MetaKey.attempts] = outcome.attempts;
    return { ...result, _meta: meta };
  }
  const { code, message, data } = outcome.error;
  const meta: Record<string, unknown> = {
    [ERROR_META_KEY]: { code, message, ...(data === undefined ? {} : { data }) },
  };
  if (retried) meta[MetaKey.attempts] = outcome.attempts;
  if (outcome.nodeId !== undefined) meta[NODE_META_KEY] = outcome.nodeId;
  const text = code === GatewayErrorCode.InvalidArguments ? message : `${message} [${code}]`;
  return { content: [{ type: 'text', text }], isError: true, _meta: meta };
}
