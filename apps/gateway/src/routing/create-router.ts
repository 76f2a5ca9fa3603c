import type { Logger } from '@easyremote/protocol';
import type { RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { CachingToolInvoker } from '../cache/caching-tool-invoker.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { GatewayConfig } from '../config.js';
import { ArgumentValidator } from './argument-validator.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { LocalLoad } from './local-load.js';
import { NodeAttempts } from './node-attempts.js';
import { NodeRpc } from './node-rpc.js';
import { Placer } from './placer.js';
import { ToolInvoker } from './tool-invoker.js';

export interface Router {
  readonly invoker: ToolInvoker;
  readonly nodeRpc: NodeRpc;
  stop(): void;
}

/** Wires the routing parts of one gateway replica: load view, circuit breakers, placement, invoker. */
export function createRouter(deps: {
  nc: NatsConnection;
  registry: RegistryView;
  rpc: RpcClient;
  config: GatewayConfig;
  logger: Logger;
  resultCache?: ResultCache;
}): Router {
  const { nc, registry, rpc, config, logger } = deps;
  const load = new LocalLoad();
  const breakers = new CircuitBreakers({ failureThreshold: config.breakerFailures, openMs: config.breakerOpenMs });
  const attempts = new NodeAttempts(registry, load);
  const placer = new Placer(registry, load, breakers, config.placementStrategy);
  const nodeRpc = new NodeRpc(registry, rpc, config.callTimeoutMs);
  const invokerDeps = {
    nc,
    registry,
    rpc,
    nodeRpc,
    placer,
    load,
    breakers,
    attempts,
    settings: { maxAttempts: config.callAttempts, overloadWaitMs: config.overloadWaitMs },
    validator: new ArgumentValidator(),
    defaultTimeoutMs: config.callTimeoutMs,
    logger,
  };
  // Tools that opt in (metadata.cacheTtlMs) are answered from the shared result cache first.
  const invoker = deps.resultCache
    ? new CachingToolInvoker(invokerDeps, deps.resultCache)
    : new ToolInvoker(invokerDeps);
  return { invoker, nodeRpc, stop: () => attempts.stop() };
}
