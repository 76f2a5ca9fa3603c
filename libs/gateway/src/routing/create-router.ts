import type { Logger } from '@easyremote/protocol';
import type { RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import type { GatewayConfig } from '../config.js';
import { CallRunner } from './call-runner.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { LocalLoad } from './local-load.js';
import { NodeAttempts } from './node-attempts.js';
import { NodeRpc } from './node-rpc.js';
import { Placer } from './placer.js';
import type { GatewayTaskRunner } from '../tasks/gateway-task-runner.js';

export interface Router {
  /** The call pipeline's last stage: dispatch and fan-out. */
  readonly runner: CallRunner;
  readonly nodeRpc: NodeRpc;
  stop(): void;
}

/** Wires the routing parts of one gateway replica: load view, circuit breakers, placement, runner. */
export function createRouter(deps: {
  nc: NatsConnection;
  registry: RegistryView;
  rpc: RpcClient;
  config: GatewayConfig;
  logger: Logger;
  taskRunner?: GatewayTaskRunner;
}): Router {
  const { nc, registry, rpc, config, logger, taskRunner } = deps;
  const load = new LocalLoad();
  const breakers = new CircuitBreakers({ failureThreshold: config.breakerFailures, openMs: config.breakerOpenMs });
  const attempts = new NodeAttempts(registry, load);
  const placer = new Placer(registry, load, breakers, config.placementStrategy);
  const nodeRpc = new NodeRpc(registry, rpc, config.callTimeoutMs);
  const runner = new CallRunner({
    nc,
    registry,
    rpc,
    nodeRpc,
    placer,
    load,
    breakers,
    attempts,
    settings: { maxAttempts: config.callAttempts, overloadWaitMs: config.overloadWaitMs },
    defaultTimeoutMs: config.callTimeoutMs,
    logger,
    taskRunner,
  });
  return { runner, nodeRpc, stop: () => attempts.stop() };
}
