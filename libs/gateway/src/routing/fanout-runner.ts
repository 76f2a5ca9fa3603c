import {
  FANOUT_DEFAULT_ATTEMPTS,
  MetaKey,
  mergeBuiltin,
  planChunkCalls,
  splitArrayArguments,
  WireErrorCode,
  type CallerClient,
  type CallerIdentity,
  type CallResult,
  type ChunkCall,
  type FanoutPartial,
  type FanoutSpec,
  type PlacementConstraints,
  type TaskRef,
  type WireError,
} from '@easyremote/protocol';
import type { CallBody } from '@easyremote/mesh';
import type { ToolEntry } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import type { ChunkRun } from '../pipeline/call-events.js';
import type { CallOutcome } from '../pipeline/call-pipeline.js';
import { dispatchCall, type DispatchDeps } from './call-dispatch.js';
import { openJournal, runJournaled, type FanoutJournal } from './fanout-journal.js';
import type { NodeRpc } from './node-rpc.js';

export interface FanoutDeps extends DispatchDeps {
  nodeRpc: NodeRpc;
  /** Tells the node running `callId` to stop (a `calls.cancel` broadcast). */
  cancel: (callId: string) => void;
  /** Runs a `{ kind: 'tool' }` reduce tool as an ordinary call. */
  reduce: (tool: string, args: Record<string, unknown>, signal: AbortSignal | undefined) => Promise<CallOutcome>;
}

export interface FanoutRequest {
  entry: ToolEntry;
  spec: FanoutSpec;
  args: Record<string, unknown>;
  callId: string;
  constraints: PlacementConstraints | undefined;
  meta: Record<string, unknown> | undefined;
  client: CallerClient | undefined;
  /** Who the call is for: on every chunk, and on the plan and merge requests. */
  caller: CallerIdentity | undefined;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: number, total: number, message: string) => void) | undefined;
  /** Set when the fan-out runs as a durable task: its chunks run as tasks whose states outlive this replica. */
  journal?: FanoutJournal | undefined;
}

/**
 * Why a fan-out task stopped when its replica shut down: its chunks keep running on their nodes,
 * and another replica takes the fan-out over (fanout-journal.ts).
 */
export class FanoutHandover extends Error {
  constructor() {
    super('the gateway stopped; another replica takes the fan-out over');
  }
}

export interface FailedChunk {
  index: number;
  code: string;
  message: string;
  attempts: number;
}

/**
 * Node answers worth another try elsewhere: the node, not the chunk, may be at fault (a node that
 * cannot store task states refused the chunk before running it).
 */
const RETRY_ON_ANSWER = new Set<string>([
  WireErrorCode.HandlerFailed,
  WireErrorCode.DeadlineExceeded,
  WireErrorCode.TaskStoreFailed,
]);

/**
 * Runs a fan-out call: splits it (array slices, or the tool's own plan from a node), dispatches the
 * chunks in parallel over the matching nodes within their free capacity, retries a failed chunk on
 * other nodes up to `maxAttemptsPerChunk`, reports progress per finished chunk, and merges the partial
 * results in chunk order. Policy `fail` (default) stops at the first chunk that failed every attempt
 * and fails the call with `GW_ERR_FANOUT_FAILED`; `partial` merges what succeeded and lists the rest.
 * Undefined when the call does not split (a small array, an empty plan): it runs as one ordinary call.
 * The outcome names no node: its `chunks` say which nodes did the work.
 */
export async function runFanout(deps: FanoutDeps, request: FanoutRequest): Promise<CallOutcome | undefined> {
  const { entry, spec, callId } = request;
  const planned = await chunksOf(deps, request);
  if ('error' in planned) return { kind: 'failed', error: planned.error, callId, nodeId: undefined, chunks: [] };
  const chunks = planned.chunks;
  if (request.journal !== undefined) {
    const header = { chunks: chunks?.length ?? 0, ...(planned.plan === undefined ? {} : { plan: planned.plan }) };
    const refused = await openJournal(request.journal, entry.name, header);
    if (refused !== undefined) return { kind: 'failed', error: refused, callId, nodeId: undefined, chunks: [] };
  }
  if (chunks === undefined || chunks.length === 0) return undefined;
  const failedWith = (error: WireError): CallOutcome => ({
    kind: 'failed',
    error,
    callId,
    nodeId: undefined,
    chunks: runs,
  });

  const maxAttempts = spec.maxAttemptsPerChunk ?? FANOUT_DEFAULT_ATTEMPTS;
  const parallel = Math.max(1, Math.min(chunks.length, spec.maxParallel ?? freeSlots(deps, request)));
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  // Cancelled while it was being split: nothing is dispatched.
  if (request.signal?.aborted) onAbort();
  const running = new Set<string>();
  // Chunks still running when the fan-out stops (cancelled, or a chunk failed) are cancelled on their
  // nodes; not on a handover, where the replica taking over awaits them.
  stop.signal.addEventListener(
    'abort',
    () => {
      if (stop.signal.reason instanceof FanoutHandover) return;
      for (const chunkCallId of running) deps.cancel(chunkCallId);
    },
    { once: true },
  );
  const partials: (FanoutPartial | undefined)[] = new Array<FanoutPartial | undefined>(chunks.length);
  const failed: FailedChunk[] = [];
  const nodes = new Set<string>();
  // Every node's share of the work, for analytics, audit and the dashboard (a chunk tried twice ran twice).
  const runs: ChunkRun[] = [];
  let retries = 0;
  let done = 0;
  let next = 0;

  const runChunk = async (index: number, call: ChunkCall): Promise<void> => {
    const chunkCallId = `${request.callId}.${index}`;
    const avoid = new Set<string>();
    let used = 0;
    let lastError: WireError = { code: GatewayErrorCode.FanoutFailed, message: 'not attempted' };
    // Its call id, and an earlier run's when this run took the chunk over.
    const callIds = new Set([chunkCallId]);
    running.add(chunkCallId);
    try {
      while (used < maxAttempts && !stop.signal.aborted) {
        const body: CallBody = {
          tool: entry.name,
          arguments: call.arguments,
          chunk: call.chunk,
          ...(request.meta ? { meta: request.meta } : {}),
          ...(request.client ? { client: request.client } : {}),
          ...(request.caller ? { caller: request.caller } : {}),
        };
        const startedAt = Date.now();
        const dispatch = (task?: TaskRef): Promise<CallOutcome> =>
          dispatchCall(deps, {
            entry,
            body: task === undefined ? body : { ...body, task },
            callId: chunkCallId,
            constraints: request.constraints,
            safe: true,
            timeoutMs: request.timeoutMs,
            signal: stop.signal,
            avoid,
            maxAttempts: maxAttempts - used,
            // The other chunks hold the slots; one frees up within a chunk's run time.
            overloadWaitMs: request.timeoutMs,
          });
        const { journal } = request;
        const outcome =
          journal === undefined
            ? await dispatch()
            : await runJournaled(
                journal,
                journal.chunkTaskId(index),
                {
                  lookUp: used === 0,
                  signal: stop.signal,
                  timeoutMs: request.timeoutMs,
                  onCallId: (id) => {
                    callIds.add(id);
                    running.add(id);
                  },
                },
                dispatch,
              );
        used += Math.max(1, outcome.attempts ?? 0);
        const run = chunkRun(index, outcome, Date.now() - startedAt);
        if (run !== undefined) runs.push(run);
        const { nodeId } = outcome;
        if (outcome.kind === 'result' && outcome.result.isError !== true) {
          const { result } = outcome;
          partials[index] = {
            index,
            ...(nodeId === undefined ? {} : { nodeId }),
            content: result.content,
            ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
          };
          if (nodeId !== undefined) nodes.add(nodeId);
          retries += used - 1;
          done++;
          request.onProgress?.(
            done,
            chunks.length,
            `chunk ${index + 1}/${chunks.length} done${nodeId === undefined ? '' : ` on ${nodeId}`}`,
          );
          return;
        }
        if (outcome.kind !== 'failed') {
          lastError = { code: GatewayErrorCode.FanoutFailed, message: resultText(outcome) };
          break;
        }
        lastError = outcome.error;
        // The gateway's own failures say whether to retry; a node's error answer is retried when the node may be at fault.
        if (!(outcome.retryable ?? RETRY_ON_ANSWER.has(outcome.error.code))) break;
        if (nodeId !== undefined) avoid.add(nodeId);
      }
      // Chunks stopped because another chunk failed (or the caller cancelled) did not fail themselves.
      if (stop.signal.aborted && lastError.code === GatewayErrorCode.Cancelled) return;
      retries += Math.max(0, used - 1);
      failed.push({ index, code: lastError.code, message: lastError.message, attempts: used });
      if (spec.onChunkFailure !== 'partial') stop.abort(new Error('a chunk failed'));
    } finally {
      for (const id of callIds) running.delete(id);
    }
  };

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < chunks.length) {
      const index = next++;
      await runChunk(index, chunks[index]!);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }

  if (request.signal?.aborted)
    return failedWith({ code: GatewayErrorCode.Cancelled, message: `Call to tool ${entry.name} was cancelled` });
  failed.sort((a, b) => a.index - b.index);
  const summary = { chunks: chunks.length, nodes: [...nodes].sort(), retries, failed };
  if (failed.length > 0 && spec.onChunkFailure !== 'partial') {
    const list = failed.map((f) => `#${f.index} ${f.code} after ${f.attempts} attempt(s): ${f.message}`).join('; ');
    return failedWith({
      code: GatewayErrorCode.FanoutFailed,
      message: `Fan-out of ${entry.name} failed: chunk ${list}`,
      data: summary,
    });
  }
  const merged = await mergePartials(
    deps,
    request,
    partials.filter((p): p is FanoutPartial => p !== undefined),
  );
  if (!merged.ok) return failedWith(merged.error);
  return {
    kind: 'result',
    result: { ...merged.result, _meta: { ...(merged.result._meta ?? {}), [MetaKey.fanout]: summary } },
    callId,
    nodeId: undefined,
    chunks: runs,
  };
}

/** What one dispatch of a chunk cost which node; undefined when no node ran it (none matched, all declined). */
function chunkRun(index: number, outcome: CallOutcome, durationMs: number): ChunkRun | undefined {
  const { nodeId } = outcome;
  if (nodeId === undefined) return undefined;
  if (outcome.kind === 'failed') {
    const { code } = outcome.error;
    const cancelled = code === GatewayErrorCode.Cancelled || code === WireErrorCode.Cancelled;
    return { index, nodeId, durationMs, outcome: cancelled ? 'cancelled' : 'error', errorCode: code };
  }
  const failed = outcome.kind === 'input' || outcome.kind === 'task' || outcome.result.isError === true;
  return { index, nodeId, durationMs, outcome: failed ? 'tool_error' : 'success' };
}

async function chunksOf(
  deps: FanoutDeps,
  request: FanoutRequest,
): Promise<{ chunks: ChunkCall[] | undefined; plan?: readonly unknown[] } | { error: WireError }> {
  const { spec, args, entry } = request;
  if (spec.split.kind === 'array') return { chunks: splitArrayArguments(args, spec.split) };
  const kept = (await request.journal?.kept())?.plan;
  if (kept !== undefined) return { chunks: planChunkCalls(args, [...kept]), plan: kept };
  const providers = orderedProviders(deps, request);
  if (providers.length === 0)
    return { error: { code: GatewayErrorCode.NoMatchingNode, message: `No live node can run tool ${entry.name}` } };
  const { reply } = await deps.nodeRpc.call(
    providers,
    { method: 'fanout/plan', params: { tool: entry.name, arguments: args } },
    rpcOptions(request),
  );
  if (!reply.ok) return { error: reply.error };
  if (!('result' in reply) || !Array.isArray(reply.result.chunks))
    return {
      error: {
        code: GatewayErrorCode.BadNodeReply,
        message: `The fan-out plan of ${entry.name} is not a list of chunks`,
      },
    };
  const plan = reply.result.chunks as unknown[];
  return { chunks: planChunkCalls(args, plan), plan };
}

function rpcOptions(request: FanoutRequest): { signal?: AbortSignal; caller?: CallerIdentity } {
  return {
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.caller ? { caller: request.caller } : {}),
  };
}

function orderedProviders(deps: FanoutDeps, request: FanoutRequest): string[] {
  const plan = deps.placer.plan(
    request.entry,
    request.args,
    request.constraints ?? { strategy: 'least-loaded' },
    new Set(),
  );
  return plan.kind === 'nodes' ? plan.nodes.map((n) => n.nodeId) : [];
}

/** Chunks in flight at once: the free slots of the matching nodes (at least one per node). */
function freeSlots(deps: FanoutDeps, request: FanoutRequest): number {
  const { nodes } = deps.placer.matching(request.entry, request.args, request.constraints);
  let free = 0;
  for (const advert of nodes) {
    if (!deps.breakers.allows(advert.nodeId)) continue;
    const estimate = deps.load.estimate(advert);
    free += Math.max(1, estimate.capacity - estimate.inFlight);
  }
  return free;
}

async function mergePartials(
  deps: FanoutDeps,
  request: FanoutRequest,
  partials: FanoutPartial[],
): Promise<{ ok: true; result: CallResult } | { ok: false; error: WireError }> {
  const { spec, entry, args } = request;
  const merge = spec.merge;
  const mergeFailed = (message: string): { ok: false; error: WireError } => ({
    ok: false,
    error: {
      code: GatewayErrorCode.FanoutMergeFailed,
      message: `Merging the chunks of ${entry.name} failed: ${message}`,
    },
  });
  if (merge.kind === 'builtin' || merge.kind === 'fields') {
    const merged = mergeBuiltin(merge, partials, entry.descriptor.outputSchema !== undefined);
    return merged.ok ? merged : mergeFailed(merged.message);
  }
  if (merge.kind === 'tool') {
    const reduced = await deps.reduce(merge.tool, { partials, arguments: args }, request.signal);
    if (reduced.kind === 'result') return { ok: true, result: reduced.result };
    if (reduced.kind === 'input') return mergeFailed('a reduce tool cannot ask for client input');
    if (reduced.kind === 'task') return mergeFailed('a reduce tool cannot start a task');
    return mergeFailed(`${reduced.error.message} [${reduced.error.code}]`);
  }
  const providers = mergerNodes(deps, request, merge.name);
  if (providers.length === 0) return mergeFailed(`no live node has the merger ${merge.name}`);
  const { reply } = await deps.nodeRpc.call(
    providers,
    { method: 'fanout/merge', params: { merger: merge.name, tool: entry.name, arguments: args, partials } },
    rpcOptions(request),
  );
  if (!reply.ok) return mergeFailed(`${reply.error.message} [${reply.error.code}]`);
  if (!('result' in reply) || !Array.isArray(reply.result.content)) return mergeFailed('the merger returned no result');
  return { ok: true, result: reply.result as CallResult };
}

/** Nodes advertising the merger: the tool's matching nodes first, least loaded first. */
function mergerNodes(deps: FanoutDeps, request: FanoutRequest, name: string): string[] {
  const preferred = orderedProviders(deps, request).filter((nodeId) =>
    deps.registry.node(nodeId)?.advert.mergers?.includes(name),
  );
  const others = [...deps.registry.nodes().values()]
    .filter((n) => n.advert.mergers?.includes(name) && !preferred.includes(n.advert.nodeId))
    .map((n) => n.advert.nodeId);
  return [...preferred, ...others];
}

function resultText(outcome: Exclude<CallOutcome, { kind: 'failed' }>): string {
  if (outcome.kind === 'input') return 'a chunk asked for client input, which fan-out chunks cannot do';
  if (outcome.kind === 'task') return 'a chunk started a task, which fan-out chunks cannot do';
  return (
    outcome.result.content.map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n') ||
    'a chunk returned an error result'
  );
}
