import type { Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { ResourceIdentity } from '../auth/oauth-resource.js';
import type { ResultCache } from '../cache/result-cache.js';
import { ArgumentValidator } from '../routing/argument-validator.js';
import type { CallRunner } from '../routing/call-runner.js';
import type { CallGuard } from '../security/call-guard.js';
import type { CallEvents } from './call-events.js';
import { composeCallPipeline, type CallPipeline, type CallStage } from './call-pipeline.js';
import { authoriseStage, cacheStage, rateLimitStage, recordStage, validateStage } from './call-stages.js';

export interface CallPipelineParts {
  registry: RegistryView;
  guard: CallGuard;
  identity: ResourceIdentity;
  callEvents: CallEvents;
  /** The shared result cache; absent, no call is answered from a cache. */
  resultCache: ResultCache | undefined;
  runner: CallRunner;
  logger: Logger;
}

/**
 * The tool-call pipeline of one replica, composed once; MCP and REST both run every call through it
 * and only render its outcome. Order: authorise and rate-limit first (a refused call costs nothing
 * and is not recorded as a call), then the record stage, which sees everything after it — cache hits,
 * unknown tools, invalid arguments, dispatch and fan-out — as one outcome.
 */
export function createCallPipeline(parts: CallPipelineParts): CallPipeline {
  const stages: CallStage[] = [
    authoriseStage(parts.guard, parts.identity),
    rateLimitStage(parts.guard),
    recordStage(parts.callEvents),
    ...(parts.resultCache ? [cacheStage(parts.registry, parts.resultCache)] : []),
    validateStage(parts.registry, new ArgumentValidator()),
  ];
  return composeCallPipeline(stages, (call) => parts.runner.run(call), parts.logger);
}
