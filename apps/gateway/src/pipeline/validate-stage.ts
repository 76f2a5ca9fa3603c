import type { RegistryView } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import type { ArgumentValidator } from '../routing/argument-validator.js';
import { failedOutcome } from './call-outcome.js';
import type { CallStage } from './call-pipeline.js';

/**
 * The tool must be in the registry and the arguments must satisfy its input schema before any node
 * is asked. A resumed call was validated on its first leg and passes.
 */
export function validateStage(registry: RegistryView, validator: ArgumentValidator): CallStage {
  return (call, next) => {
    if (call.resume) return next(call);
    const entry = registry.tool(call.tool);
    if (entry === undefined)
      return Promise.resolve(failedOutcome(call.callId, GatewayErrorCode.ToolNotFound, `Unknown tool: ${call.tool}`));
    const problems = validator.check(entry.descriptor, call.arguments);
    if (problems !== undefined) {
      const message = `Invalid arguments for tool ${call.tool}: ${problems}`;
      return Promise.resolve(failedOutcome(call.callId, GatewayErrorCode.InvalidArguments, message));
    }
    return next(call);
  };
}
