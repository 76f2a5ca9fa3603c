import { AuthErrorCode } from '@easyremote/auth';
import { bearerChallenge } from '../auth/challenge.js';
import type { ResourceIdentity } from '../auth/resource-identity.js';
import type { CallGuard } from '../security/call-guard.js';
import { headerSafe, unreadableResourceIn } from '../security/resource-arguments.js';
import { failedOutcome, type FailedOutcome, type ToolCall } from './call-outcome.js';
import type { CallStage } from './call-pipeline.js';

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
