import {
  mergeBuiltin,
  planChunkCalls,
  resourceReadScopes,
  splitArrayArguments,
  WireErrorCode,
  type CallerIdentity,
  type CallResponse,
  type ChunkCall,
  type FanoutPartial,
} from '@easyremote/protocol';
import { compiledMerger, type MergerDefinition } from './define-merger.js';
import { compiledTool, type ToolDefinition } from './define-tool.js';
import type { MergeContext } from './fanout-option.js';
import { runTool, type RunToolOptions } from './run-tool.js';
import { isRecord } from './rpc-operations.js';
import { isToolResult, shapeStructured, shapeUnstructured, type ContentBlock } from './tool-result.js';
import { shapeResult } from './execute-call.js';
import { failure } from './wire-failure.js';

export interface RunFanoutOptions extends Omit<RunToolOptions, 'chunk'> {
  /** Named mergers for `merge: { reducer }`. */
  mergers?: readonly MergerDefinition[];
  /** The reduce tool for `merge: { tool }`. */
  reduceTool?: ToolDefinition;
}

/**
 * Runs a fan-out tool in this process the way a gateway would (its plan or array split, every chunk
 * through `runTool`, the same built-in mergers, chunk order) and returns the merged response: for
 * unit tests of fan-out tools. No retries: the first failed chunk fails the run with its error.
 */
export async function runFanout(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  options: RunFanoutOptions = {},
): Promise<CallResponse> {
  const compiled = compiledTool(tool);
  const fanout = compiled.fanout;
  if (fanout === undefined) return runTool(tool, args, options);
  const { mergers, reduceTool, ...toolOptions } = options;
  let calls: ChunkCall[] | undefined;
  if (fanout.plan !== undefined) {
    const checked = compiled.input.withDefaults(structuredClone(args));
    if (!checked.ok)
      return failure(
        WireErrorCode.InvalidArguments,
        `invalid arguments for tool ${JSON.stringify(tool.name)}: ${checked.message}`,
      );
    const plan = await fanout.plan(checked.value, planContext(toolOptions.nodeId ?? 'local', toolOptions.caller));
    calls = plan.length === 0 ? undefined : planChunkCalls(args, plan);
  } else if (fanout.descriptor.split.kind === 'array') {
    calls = splitArrayArguments(args, fanout.descriptor.split);
  }
  if (calls === undefined) return runTool(tool, args, toolOptions);
  const responses = await Promise.all(
    calls.map((call) => runTool(tool, call.arguments, { ...toolOptions, chunk: call.chunk })),
  );
  const partials: FanoutPartial[] = [];
  for (const [index, response] of responses.entries()) {
    if (!response.ok) return response;
    if (!('result' in response)) return failure(WireErrorCode.BadRequest, 'runFanout cannot answer input requests');
    const { content, structuredContent } = response.result;
    partials.push({
      index,
      nodeId: toolOptions.nodeId ?? 'local',
      content,
      ...(structuredContent === undefined ? {} : { structuredContent }),
    });
  }
  const merge = fanout.descriptor.merge;
  if (merge.kind === 'builtin' || merge.kind === 'fields') {
    const merged = mergeBuiltin(merge, partials, tool.descriptor.outputSchema !== undefined);
    return merged.ok ? { ok: true, result: merged.result } : failure('GW_ERR_FANOUT_MERGE_FAILED', merged.message);
  }
  if (merge.kind === 'tool') {
    if (reduceTool === undefined || reduceTool.name !== merge.tool)
      return failure(WireErrorCode.ToolNotFound, `pass the reduce tool ${merge.tool} as options.reduceTool`);
    return runTool(reduceTool, { partials, arguments: args }, toolOptions);
  }
  const merger =
    merge.name === tool.name && fanout.merge !== undefined
      ? fanout.merge
      : mergers?.map(compiledMerger).find((m) => m.name === merge.name)?.merge;
  if (merger === undefined)
    return failure(WireErrorCode.NotFound, `no merger ${JSON.stringify(merge.name)}: pass it in options.mergers`);
  const ctx: MergeContext = {
    ...planContext(toolOptions.nodeId ?? 'local', toolOptions.caller),
    tool: tool.name,
    arguments: args,
  };
  const value = await merger(
    partials.map((p) => ({
      index: p.index,
      nodeId: p.nodeId,
      content: p.content as ContentBlock[],
      structuredContent: p.structuredContent,
    })),
    ctx,
  );
  if (merger === fanout.merge) return shapeResult(compiled, value);
  if (isToolResult(value)) return { ok: true, result: value as never };
  return { ok: true, result: isRecord(value) ? shapeStructured(value) : shapeUnstructured(value) };
}

function planContext(nodeId: string, caller: CallerIdentity | undefined): Omit<MergeContext, 'tool' | 'arguments'> {
  const mayRead = (uri: string): boolean => caller !== undefined && resourceReadScopes(caller.scopes).mayRead(uri);
  return {
    signal: new AbortController().signal,
    callId: 'local',
    deadline: Date.now() + 30_000,
    nodeId,
    meta: {},
    caller,
    mayRead,
    progress: () => {},
    log: () => {},
  };
}
