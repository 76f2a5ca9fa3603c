import type { Logger } from '@easyremote/protocol';
import { renderableFailure } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import { failedOutcome, type CallOutcome, type ToolCall } from './call-outcome.js';

/** The rest of the pipeline after a stage. */
export type NextStage = (call: ToolCall) => Promise<CallOutcome>;

/**
 * One step of a tool call: it may answer by itself (a refusal, a cache hit) or pass the call on to
 * `next` and look at what came back (the record stage). A stage never throws past itself: whatever
 * it throws becomes a `failed` outcome at its boundary.
 */
export type CallStage = (call: ToolCall, next: NextStage) => Promise<CallOutcome>;

export interface CallPipeline {
  /** Runs one call through every stage; never rejects. */
  run(call: ToolCall): Promise<CallOutcome>;
}

/**
 * Composes the stages once, in order, in front of `terminal` (dispatch or fan-out). Each boundary
 * turns a thrown error into an outcome, so the stage before it (the record stage, say) sees every
 * failure as a value with its code: an error that carries a code the error table names keeps it and
 * its message; anything else is `GW_ERR_INTERNAL` with its details in the log only.
 */
export function composeCallPipeline(stages: readonly CallStage[], terminal: NextStage, logger: Logger): CallPipeline {
  const outcomeOfThrown = (error: unknown, call: ToolCall): CallOutcome => {
    const failure = renderableFailure(error);
    if (failure !== undefined) return failedOutcome(call.callId, failure.code, failure.message, { data: failure.data });
    logger.error({ err: error, tool: call.tool, callId: call.callId }, 'tool call failed inside the gateway');
    return failedOutcome(call.callId, GatewayErrorCode.Internal, 'Internal error');
  };
  const bounded =
    (step: NextStage): NextStage =>
    (call) => {
      try {
        return step(call).then(undefined, (error: unknown) => outcomeOfThrown(error, call));
      } catch (error) {
        return Promise.resolve(outcomeOfThrown(error, call));
      }
    };
  let next = bounded(terminal);
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index]!;
    const after = next;
    next = bounded((call) => stage(call, after));
  }
  return { run: next };
}
