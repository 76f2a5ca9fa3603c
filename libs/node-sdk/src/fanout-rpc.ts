import { WireErrorCode, type NodeRpcReply } from '@easyremote/protocol';
import { shapeResult } from './execute-call.js';
import type { FanoutPartialResult, MergeContext } from './fanout-option.js';
import { isRecord, rpcContext, runRpcHandler, type RpcEnv } from './rpc-operations.js';
import { isToolResult, shapeStructured, shapeUnstructured, type ContentBlock } from './tool-result.js';
import { failure } from './wire-failure.js';

/** `fanout/plan { tool, arguments }`: runs the tool's plan and answers `{ chunks }` (JSON descriptors). */
export async function planFanout(env: RpcEnv, params: Readonly<Record<string, unknown>>): Promise<NodeRpcReply> {
  const { tool: name, arguments: args } = params;
  if (typeof name !== 'string' || !isRecord(args))
    return failure(WireErrorCode.BadRequest, 'fanout/plan needs params.tool and params.arguments');
  const tool = env.catalog.tool(name);
  if (tool === undefined)
    return failure(WireErrorCode.ToolNotFound, `node ${env.nodeId} does not serve tool ${JSON.stringify(name)}`);
  const plan = tool.fanout?.plan;
  if (plan === undefined) return failure(WireErrorCode.BadRequest, `tool ${JSON.stringify(name)} has no fan-out plan`);
  const checked = tool.input.withDefaults(args);
  if (!checked.ok)
    return failure(
      WireErrorCode.InvalidArguments,
      `invalid arguments for tool ${JSON.stringify(name)}: ${checked.message}`,
    );
  const ctx = rpcContext(env, `fanout/plan of ${name}`, false);
  const outcome = await runRpcHandler(env, ctx, `the fan-out plan of tool ${JSON.stringify(name)}`, () =>
    plan(checked.value, ctx),
  );
  if (!outcome.ok) return outcome;
  if (!Array.isArray(outcome.value))
    return failure(
      WireErrorCode.InvalidOutput,
      `the fan-out plan of tool ${JSON.stringify(name)} did not return an array`,
    );
  return { ok: true, result: { chunks: outcome.value } };
}

function partialsOf(value: unknown): FanoutPartialResult<unknown>[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const partials: FanoutPartialResult<unknown>[] = [];
  for (const entry of value) {
    if (!isRecord(entry) || typeof entry.index !== 'number' || !Array.isArray(entry.content)) return undefined;
    partials.push({
      index: entry.index,
      nodeId: typeof entry.nodeId === 'string' ? entry.nodeId : undefined,
      content: entry.content as ContentBlock[],
      structuredContent: isRecord(entry.structuredContent) ? entry.structuredContent : undefined,
    });
  }
  return partials.sort((a, b) => a.index - b.index);
}

/** `fanout/merge { merger, tool, arguments, partials }`: runs a named merger and answers a CallResult. */
export async function mergeFanout(env: RpcEnv, params: Readonly<Record<string, unknown>>): Promise<NodeRpcReply> {
  const { merger: name, tool: toolName, arguments: args } = params;
  const partials = partialsOf(params.partials);
  if (typeof name !== 'string' || typeof toolName !== 'string' || !isRecord(args) || partials === undefined) {
    return failure(
      WireErrorCode.BadRequest,
      'fanout/merge needs params.merger, params.tool, params.arguments and params.partials',
    );
  }
  const merger = env.catalog.merger(name);
  if (merger === undefined)
    return failure(WireErrorCode.NotFound, `node ${env.nodeId} has no merger ${JSON.stringify(name)}`);
  const base = rpcContext(env, `fanout/merge ${name}`, false);
  // A plain object: CallContext keeps private fields, which a prototype-derived object cannot reach.
  const ctx: MergeContext = {
    signal: base.signal,
    callId: base.callId,
    deadline: base.deadline,
    nodeId: base.nodeId,
    meta: base.meta,
    caller: base.caller,
    mayRead: (uri) => base.mayRead(uri),
    progress: (progress, total, message) => base.progress(progress, total, message),
    log: (level, data, logger) => base.log(level, data, logger),
    tool: toolName,
    arguments: args,
  };
  const outcome = await runRpcHandler(env, base, `the fan-out merger ${JSON.stringify(name)}`, () =>
    merger.merge(partials, ctx),
  );
  if (!outcome.ok) return outcome;
  const tool = merger.tool === undefined ? undefined : env.catalog.tool(merger.tool);
  if (tool !== undefined) {
    const shaped = shapeResult(tool, outcome.value);
    return shaped.ok && 'result' in shaped ? { ok: true, result: shaped.result } : (shaped as NodeRpcReply);
  }
  const { value } = outcome;
  try {
    if (isToolResult(value)) return { ok: true, result: value as unknown as Record<string, unknown> };
    if (isRecord(value)) return { ok: true, result: shapeStructured(value) };
    return { ok: true, result: shapeUnstructured(value) };
  } catch (error) {
    return failure(
      WireErrorCode.InvalidOutput,
      `the fan-out merger ${JSON.stringify(name)} returned an invalid result: ${(error as Error).message}`,
    );
  }
}
