import { randomUUID } from 'node:crypto';
import {
  CANCEL_SUBJECT,
  decodeCallResponse,
  encodeJson,
  nodeResumeSubject,
  type CallerIdentity,
  type CallRequest,
  type CallResponse,
  type CallResult,
  type InputRequest,
  type Logger,
  type WireError,
} from '@easyremote/protocol';
import type { ToolEntry } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { ArgumentValidator } from './argument-validator.js';
import type { ChunkRun } from './call-events.js';
import { DEADLINE_GRACE_MS, dispatchCall, type DispatchDeps, type DispatchOutcome } from './call-dispatch.js';
import { placementFromMeta, type CallPlacement } from './call-placement.js';
import { classifyMeshFailure } from './mesh-failure.js';
import { runFanout } from './fanout-runner.js';
import type { NodeRpc } from './node-rpc.js';

export interface InvokeRequest {
  tool: string;
  arguments: Record<string, unknown>;
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Subject the node should publish progress/log notifications and client requests to. */
  notifySubject?: string;
  client?: CallRequest['client'];
  /** Who the call is for; travels to the node (`ctx.caller`), on every chunk, plan and merge. Absent: the node sees no caller. */
  caller?: CallerIdentity;
  callId?: string;
  /** Placement and idempotency from a front door that does not use `_meta` (REST); else read from `meta`. */
  placement?: CallPlacement;
  /** Fan-out progress (one step per finished chunk); MCP turns it into notifications/progress. */
  onProgress?: (progress: number, total: number, message: string) => void;
}

/**
 * The outcome of a call that reached the routing stage. Tool-level failures (bad arguments, a
 * handler error, a timeout, no node left) are outcomes, not exceptions: MCP renders them as
 * `isError` results, REST as HTTP statuses. `input` is a 2026-era handler waiting for client input.
 * `attempts` counts the nodes that ran (or may have run) the call, when more than one did.
 */
export type InvokeOutcome =
  | { ok: true; result: CallResult; nodeId: string | undefined; callId: string; attempts?: number; chunks?: ChunkRun[] }
  | { ok: false; error: WireError; nodeId: string | undefined; callId: string; attempts?: number; chunks?: ChunkRun[] }
  | { ok: 'input'; inputRequired: Record<string, InputRequest>; nodeId: string; callId: string };

export interface ToolInvokerDeps extends DispatchDeps {
  nc: NatsConnection;
  nodeRpc: NodeRpc;
  validator: ArgumentValidator;
  defaultTimeoutMs: number;
  logger: Logger;
}

/**
 * Routes one tool call from any front door (MCP, REST): validates it, places it on a node (see
 * placer.ts and call-dispatch.ts: requirements, constraints, strategy, declines, retries, circuit
 * breaking) or fans it out (fanout-runner.ts), and forwards cancellation to the nodes running it.
 */
export class ToolInvoker {
  readonly #deps: ToolInvokerDeps;

  constructor(deps: ToolInvokerDeps) {
    this.#deps = deps;
  }

  /** Throws GatewayError ToolNotFound / InvalidPlacement / PayloadTooLarge / Unavailable; everything else is an outcome. */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const { registry, validator, defaultTimeoutMs } = this.#deps;
    const callId = request.callId ?? randomUUID();
    const entry = registry.tool(request.tool);
    if (!entry) {
      throw new GatewayError(GatewayErrorCode.ToolNotFound, `Unknown tool: ${request.tool}`);
    }
    const placement = request.placement ?? placementFromMeta(request.meta);
    const problems = validator.check(entry.descriptor, request.arguments);
    if (problems !== undefined) {
      return failure(
        callId,
        GatewayErrorCode.InvalidArguments,
        `Invalid arguments for tool ${request.tool}: ${problems}`,
      );
    }
    const timeoutMs = entry.descriptor.timeoutMs ?? defaultTimeoutMs;
    const stopCancelling = this.#forwardCancellation(request.signal, callId);
    try {
      const fanout = entry.descriptor.fanout;
      if (fanout !== undefined) {
        const outcome = await runFanout(
          {
            ...this.#deps,
            cancel: (id) =>
              this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId: id, reason: 'the fan-out ended' })),
            reduce: (tool, args, signal) => this.#reduce(tool, args, signal),
          },
          {
            entry,
            spec: fanout,
            args: request.arguments,
            callId,
            constraints: placement.constraints,
            meta: request.meta,
            client: request.client,
            caller: request.caller,
            timeoutMs,
            signal: request.signal,
            onProgress: request.onProgress,
          },
        );
        // A fanned-out call ran on many nodes: no one node, the chunks say who did the work.
        if (outcome.kind === 'done')
          return { ok: true, result: outcome.result, nodeId: undefined, callId, chunks: outcome.runs };
        if (outcome.kind === 'failed')
          return { ok: false, error: outcome.error, nodeId: undefined, callId, chunks: outcome.runs };
      }
      return await this.#dispatch(entry, request, callId, placement, timeoutMs);
    } finally {
      stopCancelling();
    }
  }

  async #dispatch(
    entry: ToolEntry,
    request: InvokeRequest,
    callId: string,
    placement: CallPlacement,
    timeoutMs: number,
  ): Promise<InvokeOutcome> {
    const outcome = await dispatchCall(this.#deps, {
      entry,
      body: {
        tool: request.tool,
        arguments: request.arguments,
        ...(request.meta ? { meta: request.meta } : {}),
        ...(request.client ? { client: request.client } : {}),
        ...(request.caller ? { caller: request.caller } : {}),
      },
      callId,
      constraints: placement.constraints,
      safe: entry.descriptor.annotations?.idempotentHint === true || placement.idempotencyKey !== undefined,
      timeoutMs,
      notifySubject: request.notifySubject,
      signal: request.signal,
    });
    return toInvokeOutcome(outcome, callId);
  }

  /** A `{ kind: 'tool' }` fan-out merge: the reduce tool runs as an ordinary call. */
  async #reduce(
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; result: CallResult } | { ok: false; error: WireError }> {
    const entry = this.#deps.registry.tool(tool);
    if (entry === undefined)
      return { ok: false, error: { code: GatewayErrorCode.ToolNotFound, message: `Unknown reduce tool: ${tool}` } };
    const timeoutMs = entry.descriptor.timeoutMs ?? this.#deps.defaultTimeoutMs;
    const outcome = await this.#dispatch(
      entry,
      { tool, arguments: args, ...(signal ? { signal } : {}) },
      randomUUID(),
      { constraints: undefined, idempotencyKey: undefined },
      timeoutMs,
    );
    if (outcome.ok === 'input')
      return {
        ok: false,
        error: { code: GatewayErrorCode.BadNodeReply, message: 'a reduce tool cannot ask for client input' },
      };
    return outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error };
  }

  /** Continues a 2026-era call parked on `nodeId` with the client's input. */
  async resume(request: {
    tool: string;
    nodeId: string;
    callId: string;
    inputResponses: Record<string, unknown>;
    signal?: AbortSignal;
  }): Promise<InvokeOutcome> {
    const entry = this.#deps.registry.tool(request.tool);
    const timeoutMs = (entry?.descriptor.timeoutMs ?? this.#deps.defaultTimeoutMs) + DEADLINE_GRACE_MS;
    const stopCancelling = this.#forwardCancellation(request.signal, request.callId);
    try {
      const reply = await this.#deps.rpc.request(
        nodeResumeSubject(request.nodeId),
        encodeJson({ callId: request.callId, inputResponses: request.inputResponses }),
        { timeoutMs, ...(request.signal ? { signal: request.signal } : {}) },
      );
      return toOutcome(decodeCallResponse(reply.data), request.nodeId, request.callId);
    } catch (error) {
      return this.#resumeFailure(error, request.tool, timeoutMs, request.callId);
    } finally {
      stopCancelling();
    }
  }

  /** When the caller gives up (client cancelled or disconnected), tell whichever node runs the call. */
  #forwardCancellation(signal: AbortSignal | undefined, callId: string): () => void {
    if (!signal) return () => {};
    const onAbort = () => {
      const reason = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
      this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId, reason }));
    };
    if (signal.aborted) {
      onAbort();
      return () => {};
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  #resumeFailure(error: unknown, tool: string, timeoutMs: number, callId: string): InvokeOutcome {
    switch (classifyMeshFailure(error).kind) {
      case 'no-responders':
        return failure(callId, GatewayErrorCode.NoNode, `The node running ${tool} is gone`);
      case 'timeout':
        return failure(callId, GatewayErrorCode.Timeout, `Tool ${tool} did not answer within ${timeoutMs} ms`);
      case 'cancelled':
      case 'node-gone':
        return failure(callId, GatewayErrorCode.Cancelled, `Call to ${tool} was cancelled`);
      case 'unreadable':
        this.#deps.logger.error({ err: error, tool, callId }, 'undecodable reply from node');
        return failure(
          callId,
          GatewayErrorCode.BadNodeReply,
          `The node serving ${tool} sent a reply the gateway could not read`,
        );
    }
  }
}

function toInvokeOutcome(outcome: DispatchOutcome, callId: string): InvokeOutcome {
  const attempts = outcome.attempts > 1 ? { attempts: outcome.attempts } : {};
  if (outcome.kind === 'failure')
    return {
      ok: false,
      error: { code: outcome.code, message: outcome.message },
      nodeId: outcome.nodeId,
      callId,
      ...attempts,
    };
  const converted = toOutcome(outcome.response, outcome.nodeId, callId);
  return converted.ok === 'input' ? converted : { ...converted, ...attempts };
}

function toOutcome(response: CallResponse, nodeId: string | undefined, callId: string): InvokeOutcome {
  if (!response.ok) return { ok: false, error: response.error, nodeId, callId };
  if ('inputRequired' in response) {
    if (nodeId === undefined)
      return failure(callId, GatewayErrorCode.BadNodeReply, 'a node asked for input without naming itself');
    return { ok: 'input', inputRequired: response.inputRequired, nodeId, callId };
  }
  return { ok: true, result: response.result, nodeId, callId };
}

function failure(callId: string, code: string, message: string): InvokeOutcome {
  return { ok: false, error: { code, message }, nodeId: undefined, callId };
}
