import type { RegistryView } from '@easyremote/registry';
import { ResultCache } from '../cache/result-cache.js';
import type { CallOutcome, ToolCall } from './call-outcome.js';
import type { CallStage, NextStage } from './call-pipeline.js';

/**
 * The shared result cache: a tool whose descriptor sets `metadata.cacheTtlMs` is answered from the
 * cache when the same arguments were answered successfully within the TTL, by any gateway; otherwise
 * the call runs on and a successful (not `isError`) result is stored. A resumed call is never cached.
 */
export function cacheStage(registry: RegistryView, cache: ResultCache): CallStage {
  const cached = async (call: ToolCall, next: NextStage, ttlMs: number): Promise<CallOutcome> => {
    const key = ResultCache.key(call.tool, call.arguments);
    const hit = await cache.get(call.tool, key);
    if (hit !== undefined) return { kind: 'result', result: hit, callId: call.callId, nodeId: undefined, cached: true };
    const outcome = await next(call);
    if (outcome.kind === 'result' && outcome.result.isError !== true) cache.put(call.tool, key, outcome.result, ttlMs);
    return outcome;
  };
  return (call, next) => {
    const ttlMs = call.resume ? undefined : registry.tool(call.tool)?.descriptor.metadata?.cacheTtlMs;
    // Most tools are not cached: no extra async step for them.
    return ttlMs === undefined ? next(call) : cached(call, next, ttlMs);
  };
}
