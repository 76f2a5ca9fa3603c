import { GatewayErrorCode } from '../errors.js';
import { jsonBytes, type CallEvent, type CallEvents } from './call-events.js';
import { failedOutcome, type CallOutcome, type ToolCall } from './call-outcome.js';
import type { CallStage } from './call-pipeline.js';

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

function callEventOf(call: ToolCall, outcome: Exclude<CallOutcome, { kind: 'input' }>, startedAt: number): CallEvent {
  const failed = outcome.kind === 'failed';
  return {
    callId: call.callId,
    tool: call.tool,
    nodeId: outcome.nodeId,
    principal: call.principal,
    via: call.via,
    startedAt,
    durationMs: Date.now() - startedAt,
    outcome: call.signal?.aborted ? 'cancelled' : failed ? 'error' : outcome.result.isError ? 'tool_error' : 'success',
    errorCode: failed ? outcome.error.code : undefined,
    argumentsBytes: jsonBytes(call.arguments),
    resultBytes: failed ? 0 : jsonBytes(outcome.result),
    arguments: call.arguments,
    cached: !failed && outcome.cached === true,
    chunks: outcome.chunks,
  };
}
