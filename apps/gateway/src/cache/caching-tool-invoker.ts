import { randomUUID } from 'node:crypto';
import type { RegistryView } from '@easyremote/registry';
import { ToolInvoker, type InvokeOutcome, type InvokeRequest, type ToolInvokerDeps } from '../routing/tool-invoker.js';
import { ResultCache } from './result-cache.js';

/**
 * The router with the shared result cache in front: a tool whose descriptor sets `metadata.cacheTtlMs`
 * is answered from the cache when the same arguments were answered successfully within the TTL, by
 * any gateway; otherwise the call runs and a successful (not `isError`) result is stored.
 */
export class CachingToolInvoker extends ToolInvoker {
  readonly cache: ResultCache;
  readonly #registry: RegistryView;

  constructor(deps: ToolInvokerDeps, cache: ResultCache) {
    super(deps);
    this.cache = cache;
    this.#registry = deps.registry;
  }

  override invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const ttlMs = this.#registry.tool(request.tool)?.descriptor.metadata?.cacheTtlMs;
    // Most tools are not cached: no extra async step for them.
    return ttlMs === undefined ? super.invoke(request) : this.#cached(request, ttlMs);
  }

  async #cached(request: InvokeRequest, ttlMs: number): Promise<InvokeOutcome> {
    const callId = request.callId ?? randomUUID();
    const key = ResultCache.key(request.tool, request.arguments);
    const hit = await this.cache.get(request.tool, key, callId);
    if (hit !== undefined) return { ok: true, result: hit, nodeId: undefined, callId };
    const outcome = await super.invoke({ ...request, callId });
    if (outcome.ok === true && outcome.result.isError !== true)
      this.cache.put(request.tool, key, outcome.result, ttlMs);
    return outcome;
  }
}
