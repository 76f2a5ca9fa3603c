import type { AccessPolicy } from '@easyremote/auth';
import type { CallRequest, CallResponse, CallResult, InputRequest, Logger, WireError } from '@easyremote/protocol';
import type { CallEvent, ChunkRun } from './call-events.js';
import { GatewayErrorCode } from '../errors.js';
import { renderableFailure } from '../error-table.js';

/**
 * One tool call as a front door hands it to the call pipeline: what to run, for whom, and how the
 * door wants to hear about it. The pipeline's stages read it; none of them changes it.
 */
export interface ToolCall {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly callId: string;
  /** Which front door: recorded with the call. */
  readonly via: CallEvent['via'];
  /** The authenticated caller; undefined where authentication is off. */
  readonly principal: string | undefined;
  /** What the caller may use: the open policy when authentication is off, undefined when no check ran. */
  readonly access: AccessPolicy | undefined;
  /** The request's `_meta` (placement, idempotency, progress token, trace context). */
  readonly meta?: Record<string, unknown> | undefined;
  /** REST's placement, from the query string and the Idempotency-Key header (read when dispatching). */
  readonly placementQuery?: { readonly query: Record<string, unknown>; readonly idempotencyKey: unknown } | undefined;
  /** Aborted when the caller goes away or cancels: the node running the call is told. */
  readonly signal?: AbortSignal | undefined;
  /** Subject the node should publish progress, logs and client requests to. */
  readonly notifySubject?: string | undefined;
  readonly client?: CallRequest['client'] | undefined;
  /** Fan-out progress (one step per finished chunk). */
  readonly onProgress?: ((progress: number, total: number, message: string) => void) | undefined;
  /**
   * Run the call as this durable task (the client declared tasks and the tool supports them);
   * `resumed` when a replica takes over a fan-out task whose runner died.
   */
  readonly task?: { readonly id: string; readonly resumed?: boolean | undefined } | undefined;
  /** A 2026-era retry with the client's input for a handler parked on `nodeId`. */
  readonly resume?: { readonly nodeId: string; readonly inputResponses: Record<string, unknown> } | undefined;
}

interface OutcomeBase {
  readonly callId: string;
  /** The node that answered; undefined for a fanned-out call (see `chunks`), a cache hit, or no node. */
  readonly nodeId: string | undefined;
  /** Nodes that ran (or may have run) the call; more than one after a retry. */
  readonly attempts?: number | undefined;
  /** A fanned-out call's work, one run per chunk per node that ran it. */
  readonly chunks?: readonly ChunkRun[] | undefined;
}

/**
 * How a tool call ended, from the mesh to the front door: every stage returns one, nothing is thrown
 * past the pipeline. `failed` carries a code from the error table (error-table.ts), which decides how
 * each door shows it; `input` is a 2026-era handler waiting for client input; `task` a call that
 * runs on as a durable task.
 */
export type CallOutcome =
  | (OutcomeBase & { readonly kind: 'result'; readonly result: CallResult; readonly cached?: boolean | undefined })
  | (OutcomeBase & {
      readonly kind: 'failed';
      readonly error: WireError;
      /** HTTP headers the answer must carry (an authorisation challenge, Retry-After). */
      readonly headers?: Readonly<Record<string, string>> | undefined;
      /**
       * Set when the gateway gave up without an answer: whether another try may succeed. A node's own
       * error answer leaves it unset.
       */
      readonly retryable?: boolean | undefined;
    })
  | (OutcomeBase & {
      readonly kind: 'input';
      readonly inputRequests: Record<string, InputRequest>;
      readonly nodeId: string;
    })
  /** The node started the call as the task it named: its outcome will be in the task store. */
  | (OutcomeBase & { readonly kind: 'task'; readonly nodeId: string });

export type FailedOutcome = Extract<CallOutcome, { kind: 'failed' }>;

export function failedOutcome(
  callId: string,
  code: string,
  message: string,
  more: { data?: unknown; nodeId?: string | undefined; headers?: Record<string, string> } = {},
): FailedOutcome {
  const error: WireError = more.data === undefined ? { code, message } : { code, message, data: more.data };
  return { kind: 'failed', error, callId, nodeId: more.nodeId, ...(more.headers ? { headers: more.headers } : {}) };
}

/** A node's decoded answer as an outcome. */
export function outcomeOfResponse(response: CallResponse, nodeId: string | undefined, callId: string): CallOutcome {
  if (!response.ok) return { kind: 'failed', error: response.error, callId, nodeId };
  if ('inputRequired' in response) {
    if (nodeId === undefined)
      return failedOutcome(callId, GatewayErrorCode.BadNodeReply, 'a node asked for input without naming itself');
    return { kind: 'input', inputRequests: response.inputRequired, callId, nodeId };
  }
  if ('taskStarted' in response) {
    if (nodeId === undefined)
      return failedOutcome(callId, GatewayErrorCode.BadNodeReply, 'a node started a task without naming itself');
    return { kind: 'task', callId, nodeId };
  }
  return { kind: 'result', result: response.result, callId, nodeId };
}

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
