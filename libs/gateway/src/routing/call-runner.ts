import { randomUUID } from 'node:crypto';
import { CANCEL_SUBJECT, encodeJson, type Logger, type TaskRef } from '@easyremote/protocol';
import { resumeOnNode } from '@easyremote/mesh';
import type { ToolEntry } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { classifyMeshFailure, meshFailureError } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import { failedOutcome, outcomeOfResponse, type CallOutcome, type ToolCall } from '../pipeline/call-pipeline.js';
import { callerIdentity } from '../security/caller-identity.js';
import { DEADLINE_GRACE_MS, dispatchCall, type DispatchDeps } from './call-dispatch.js';
import { placementFromMeta, placementFromQuery, type CallPlacement } from './call-placement.js';
import { runJournaled, type FanoutJournal } from './fanout-journal.js';
import { FanoutHandover, runFanout } from './fanout-runner.js';
import type { NodeRpc } from './node-rpc.js';
import type { GatewayTaskRunner } from '../tasks/gateway-task-runner.js';

/** What a dispatch reads of a call: a front door's call, or a fan-out's reduce step (no caller). */
type DispatchedCall = Pick<ToolCall, 'tool' | 'arguments' | 'callId' | 'principal' | 'access'> &
  Partial<Pick<ToolCall, 'meta' | 'client' | 'notifySubject' | 'signal'>> & { task?: TaskRef | undefined };

export interface CallRunnerDeps extends DispatchDeps {
  nc: NatsConnection;
  nodeRpc: NodeRpc;
  defaultTimeoutMs: number;
  logger: Logger;
  /** Runs a fan-out tool's task on this replica (no one node can own it). */
  taskRunner?: Pick<GatewayTaskRunner, 'gatewayId' | 'start' | 'journal'> | undefined;
}

/**
 * The pipeline's last stage: runs a validated call on the mesh. A fan-out tool's call is split over
 * nodes (fanout-runner.ts); any other call is placed on one node (placer.ts, call-dispatch.ts:
 * requirements, constraints, strategy, declines, retries, circuit breaking); a 2026-era retry resumes
 * the handler parked on its node. Cancellation by the caller is forwarded to whichever node runs it.
 */
export class CallRunner {
  readonly #deps: CallRunnerDeps;

  constructor(deps: CallRunnerDeps) {
    this.#deps = deps;
  }

  /** Throws only what the pipeline turns into an outcome (a malformed placement, a refused request). */
  async run(call: ToolCall): Promise<CallOutcome> {
    if (call.resume) return this.#resume(call, call.resume);
    const entry = this.#deps.registry.tool(call.tool);
    if (!entry) return failedOutcome(call.callId, GatewayErrorCode.ToolNotFound, `Unknown tool: ${call.tool}`);
    const placement = call.placementQuery
      ? placementFromQuery(call.placementQuery.query, call.placementQuery.idempotencyKey)
      : placementFromMeta(call.meta);
    const timeoutMs = entry.descriptor.timeoutMs ?? this.#deps.defaultTimeoutMs;
    const stopCancelling = this.#forwardCancellation(call.signal, call.callId);
    try {
      const fanout = entry.descriptor.fanout;
      if (fanout !== undefined) {
        const task = call.task;
        const runner = this.#deps.taskRunner;
        const fanoutOf = (
          signal: AbortSignal | undefined,
          onProgress: ToolCall['onProgress'],
          journal: FanoutJournal | undefined,
        ) =>
          runFanout(
            {
              ...this.#deps,
              cancel: (id) => this.#cancel(id, 'the fan-out ended'),
              reduce: (tool, args, signal) => this.#reduce(tool, args, signal),
            },
            {
              entry,
              spec: fanout,
              args: call.arguments,
              callId: call.callId,
              constraints: placement.constraints,
              meta: call.meta,
              client: call.client,
              caller: callerIdentity(call.principal, call.access),
              timeoutMs,
              signal,
              onProgress,
              journal,
            },
          );
        if (task !== undefined && runner !== undefined) {
          // The task outlives this request: its own signal, cancelled through tasks/cancel.
          const journal = runner.journal(task.id, task.resumed === true);
          runner.start(task.id, call.callId, async (signal) => {
            const outcome = await fanoutOf(signal, undefined, journal);
            if (outcome !== undefined) return outcome;
            // Too small to split: one call, journaled like a chunk.
            return runJournaled(
              journal,
              journal.chunkTaskId('whole'),
              { lookUp: true, signal, timeoutMs, onCallId: (id) => this.#cancelOnAbort(signal, id) },
              (taskRef) => this.#dispatch(entry, { ...call, task: taskRef, signal }, placement, timeoutMs),
            );
          });
          return { kind: 'task', callId: call.callId, nodeId: runner.gatewayId };
        }
        const outcome = await fanoutOf(call.signal, call.onProgress, undefined);
        if (outcome !== undefined) return outcome;
      }
      return await this.#dispatch(entry, call, placement, timeoutMs);
    } finally {
      stopCancelling();
    }
  }

  #dispatch(entry: ToolEntry, call: DispatchedCall, placement: CallPlacement, timeoutMs: number): Promise<CallOutcome> {
    return dispatchCall(this.#deps, {
      entry,
      body: {
        tool: call.tool,
        arguments: call.arguments,
        ...(call.meta ? { meta: call.meta } : {}),
        ...(call.client ? { client: call.client } : {}),
        // No policy (a reduce step) sends no caller.
        ...(call.access || call.principal ? { caller: callerIdentity(call.principal, call.access) } : {}),
        ...(call.task ? { task: call.task.recordStart ? call.task : { id: call.task.id } } : {}),
      },
      callId: call.callId,
      constraints: placement.constraints,
      safe: entry.descriptor.annotations?.idempotentHint === true || placement.idempotencyKey !== undefined,
      timeoutMs,
      notifySubject: call.notifySubject,
      signal: call.signal,
    });
  }

  /** A `{ kind: 'tool' }` fan-out merge: the reduce tool runs as an ordinary call. */
  async #reduce(tool: string, args: Record<string, unknown>, signal: AbortSignal | undefined): Promise<CallOutcome> {
    const entry = this.#deps.registry.tool(tool);
    const callId = randomUUID();
    if (entry === undefined)
      return failedOutcome(callId, GatewayErrorCode.ToolNotFound, `Unknown reduce tool: ${tool}`);
    const timeoutMs = entry.descriptor.timeoutMs ?? this.#deps.defaultTimeoutMs;
    const call: ToolCall = {
      tool,
      arguments: args,
      callId,
      via: 'rest',
      principal: undefined,
      access: undefined,
      signal,
    };
    return this.#dispatch(entry, call, { constraints: undefined, idempotencyKey: undefined }, timeoutMs);
  }

  /** Continues a 2026-era call parked on its node with the client's input. */
  async #resume(call: ToolCall, resume: NonNullable<ToolCall['resume']>): Promise<CallOutcome> {
    const entry = this.#deps.registry.tool(call.tool);
    const timeoutMs = (entry?.descriptor.timeoutMs ?? this.#deps.defaultTimeoutMs) + DEADLINE_GRACE_MS;
    const stopCancelling = this.#forwardCancellation(call.signal, call.callId);
    try {
      const response = await resumeOnNode(this.#deps.rpc, resume.nodeId, resume.inputResponses, {
        callId: call.callId,
        timeoutMs,
        signal: call.signal,
      });
      return outcomeOfResponse(response, resume.nodeId, call.callId);
    } catch (error) {
      const about = { what: `tool ${call.tool}`, timeoutMs };
      const { code, message } = meshFailureError(classifyMeshFailure(error), about);
      if (code === GatewayErrorCode.BadNodeReply)
        this.#deps.logger.error({ err: error, tool: call.tool, callId: call.callId }, 'undecodable reply from node');
      return failedOutcome(call.callId, code, message, { nodeId: resume.nodeId });
    } finally {
      stopCancelling();
    }
  }

  /** A call an earlier runner began is cancelled with the task (not when this replica hands it over). */
  #cancelOnAbort(signal: AbortSignal, callId: string): void {
    signal.addEventListener(
      'abort',
      () => {
        if (!(signal.reason instanceof FanoutHandover)) this.#cancel(callId, 'task cancelled');
      },
      { once: true },
    );
  }

  #cancel(callId: string, reason: string): void {
    this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId, reason }));
  }

  /** When the caller gives up (client cancelled or disconnected), tell whichever node runs the call. */
  #forwardCancellation(signal: AbortSignal | undefined, callId: string): () => void {
    if (!signal) return () => {};
    const onAbort = () => this.#cancel(callId, signal.reason instanceof Error ? signal.reason.message : 'cancelled');
    if (signal.aborted) {
      onAbort();
      return () => {};
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }
}
