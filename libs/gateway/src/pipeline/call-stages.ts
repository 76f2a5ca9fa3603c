import { AuthErrorCode } from '@easyremote/auth';
import type { RegistryView } from '@easyremote/registry';
import { bearerChallenge, type ResourceIdentity } from '../auth/oauth-resource.js';
import { ResultCache } from '../cache/result-cache.js';
import { GatewayErrorCode } from '../errors.js';
import type { ArgumentValidator } from '../routing/argument-validator.js';
import type { CallGuard } from '../security/call-guard.js';
import { headerSafe, unreadableResourceIn } from '../security/resource-arguments.js';
import { type CallEvent, type CallEvents, jsonBytes } from './call-events.js';
import {
  type CallOutcome,
  failedOutcome,
  type FailedOutcome,
  type ToolCall,
  type CallStage,
  type NextStage,
} from './call-pipeline.js';

/**
 * Authorisation of a tool call, the same for every front door: the caller's policy must allow the
 * tool (by name, category and security level), and every `easyremote:` resource named anywhere in
 * the arguments must be readable by the caller. A refusal carries the RFC 6750 challenge naming the
 * scope that was missing. An admin (or authentication off) passes without a check.
 */
export function authoriseStage(guard: CallGuard, identity: ResourceIdentity): CallStage {
  const forbidden = (call: ToolCall, scope: string, description: string): Promise<FailedOutcome> =>
    Promise.resolve(
      failedOutcome(call.callId, AuthErrorCode.InsufficientScope, `Forbidden: ${description}`, {
        data: { scope },
        headers: {
          'www-authenticate': bearerChallenge(identity.metadataUrl, {
            error: 'insufficient_scope',
            description,
            scope,
          }),
        },
      }),
    );
  return (call, next) => {
    const { access } = call;
    if (access?.admin) return next(call);
    // The route's access hook sets a policy on every request it lets through; none means it did not run.
    if (access === undefined) {
      return Promise.resolve(
        failedOutcome(
          call.callId,
          AuthErrorCode.Unauthenticated,
          'Unauthorized: no credentials were established for this request',
        ),
      );
    }
    if (!guard.mayCall(access, call.tool))
      return forbidden(call, `tools:call:${call.tool}`, `not allowed to call tool ${call.tool}`);
    // A resource named in the arguments needs the caller's resources:read scope for it, whichever tool reads it.
    const unreadable = unreadableResourceIn(access, call.arguments);
    if (unreadable !== undefined) {
      const shown = headerSafe(unreadable);
      return forbidden(
        call,
        `resources:read:${shown}`,
        `the arguments name ${shown}, which needs the resources:read scope for it`,
      );
    }
    return next(call);
  };
}

/**
 * The shared rate limits (per principal, and per principal on the tool), counted across every replica.
 * Over the limit, the call fails with `AUTH_ERR_RATE_LIMITED`, `data.retryAfterMs` and a `Retry-After`.
 */
export function rateLimitStage(guard: CallGuard): CallStage {
  const limited: CallStage = async (call, next) => {
    const decision = await guard.rate(call.principal, call.tool);
    if (decision.ok) return next(call);
    const { retryAfterMs } = decision;
    return failedOutcome(
      call.callId,
      AuthErrorCode.RateLimited,
      `Rate limit exceeded for ${call.tool}; retry in ${retryAfterMs} ms`,
      { data: { retryAfterMs }, headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } },
    );
  };
  // Without limits configured, no async step at all.
  return (call, next) => (guard.limited ? limited(call, next) : next(call));
}

/**
 * The one place a finished call is announced (audit, analytics, metrics, the dashboard). Durable
 * observers — the audit — are waited for before the outcome goes back to the door: a record that
 * could not be stored withholds the answer (`GW_ERR_AUDIT_FAILED`, ADR 0014). A call waiting for
 * client input is not finished and is announced when its last leg ends.
 */
export function recordStage(events: CallEvents): CallStage {
  return async (call, next) => {
    if (!events.observed) return next(call);
    const startedAt = Date.now();
    const outcome = await next(call);
    if (outcome.kind === 'input') return outcome;
    const recorded = events.emit(callEventOf(call, outcome, startedAt));
    if (recorded === undefined) return outcome;
    try {
      await recorded;
      return outcome;
    } catch (error) {
      return failedOutcome(
        call.callId,
        GatewayErrorCode.AuditFailed,
        'The call ran, but its audit record could not be stored, so its answer is withheld',
        { data: { cause: error instanceof Error ? error.message : String(error) } },
      );
    }
  };
}

/** The event of a finished call; a call that started as a task is recorded when it starts (its outcome is the node's to store). */
function callEventOf(call: ToolCall, outcome: Exclude<CallOutcome, { kind: 'input' }>, startedAt: number): CallEvent {
  const failed = outcome.kind === 'failed';
  const result = outcome.kind === 'result' ? outcome.result : undefined;
  return {
    callId: call.callId,
    tool: call.tool,
    nodeId: outcome.nodeId,
    principal: call.principal,
    via: call.via,
    startedAt,
    durationMs: Date.now() - startedAt,
    outcome:
      outcome.kind === 'task'
        ? 'task'
        : call.signal?.aborted
          ? 'cancelled'
          : failed
            ? 'error'
            : result?.isError
              ? 'tool_error'
              : 'success',
    errorCode: failed ? outcome.error.code : undefined,
    argumentsBytes: jsonBytes(call.arguments),
    resultBytes: result === undefined ? 0 : jsonBytes(result),
    arguments: call.arguments,
    cached: outcome.kind === 'result' && outcome.cached === true,
    chunks: outcome.chunks,
  };
}

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
