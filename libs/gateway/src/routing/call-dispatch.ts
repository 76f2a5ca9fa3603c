import { setTimeout as sleep } from 'node:timers/promises';
import {
  nodeCallSubject,
  toolSubject,
  WireErrorCode,
  type PlacementConstraints,
  type WireError,
} from '@easyremote/protocol';
import { invokeTool, type CallBody, type RpcClient } from '@easyremote/mesh';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { LocalLoad } from './local-load.js';
import { classifyMeshFailure, meshFailureError, type MeshFailure } from '../error-table.js';
import { outcomeOfResponse, type CallOutcome, type FailedOutcome } from '../pipeline/call-pipeline.js';
import type { NodeAttempts } from './node-attempts.js';
import type { Placer } from './placer.js';

const NOTHING: ReadonlySet<string> = new Set();

/** How long the gateway waits past a call's deadline for the node's own "deadline exceeded" reply. */
export const DEADLINE_GRACE_MS = 1_000;

export interface DispatchSettings {
  /** Attempts of a call that is safe to retry (declines and unreached nodes do not count). */
  maxAttempts: number;
  /** How long a call waits, retrying with backoff, while every matching node declines as full. */
  overloadWaitMs: number;
}

export interface DispatchDeps {
  registry: RegistryView;
  rpc: RpcClient;
  placer: Placer;
  load: LocalLoad;
  breakers: CircuitBreakers;
  attempts: NodeAttempts;
  settings: DispatchSettings;
}

export interface DispatchRequest {
  entry: ToolEntry;
  body: CallBody;
  callId: string;
  constraints: PlacementConstraints | undefined;
  /** The call may run twice: retried on another node after a timeout or a lost node. */
  safe: boolean;
  timeoutMs: number;
  notifySubject?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Nodes to try only when no other node is left (fan-out: where this chunk already failed). */
  avoid?: ReadonlySet<string> | undefined;
  /** Overrides `settings.maxAttempts` (fan-out chunks use the tool's `maxAttemptsPerChunk`). */
  maxAttempts?: number | undefined;
  /** Overrides `settings.overloadWaitMs` (fan-out chunks wait up to their timeout for a free slot). */
  overloadWaitMs?: number | undefined;
}

/** What one attempt on one node came to. */
type Attempt =
  /** The node answered (a result, its own error, a request for input), or the caller cancelled. */
  | { kind: 'answer'; outcome: CallOutcome }
  /** The node said no before running anything (full): try another, or the same one a bit later. */
  | { kind: 'declined'; nodeId: string | undefined }
  /** Nothing ran (no responders): try another node, always safe. */
  | { kind: 'unreached'; nodeId: string | undefined; error: WireError }
  /** The call may have run (timeout, node died or shut down mid-call): retry only when safe. */
  | { kind: 'lost'; nodeId: string | undefined; error: WireError };

/**
 * Sends one call (or one fan-out chunk) to a node chosen by the placer, and keeps going until it ends
 * in an answer or a clear failure: a full node's decline moves on to the next node (after every node
 * declined, waits with backoff up to `overloadWaitMs`); an unreached node is forgotten and the next
 * tried; a lost call is retried on another node only when `safe`, at most `maxAttempts` times. Never
 * waits longer than attempts × (timeout + grace) + the overload wait. A failure of the gateway's own
 * (no answer) says whether another try may succeed (`retryable`); `attempts` counts the nodes that ran it.
 */
export async function dispatchCall(deps: DispatchDeps, request: DispatchRequest): Promise<CallOutcome> {
  const { entry, constraints, signal, callId } = request;
  const tried = new Set<string>();
  const declined = new Set<string>();
  const overloadUntil =
    Date.now() + Math.min(request.overloadWaitMs ?? deps.settings.overloadWaitMs, request.timeoutMs);
  let backoffMs = 5;
  let attempts = 0;
  let last: FailedOutcome | undefined;
  const gaveUp = (error: WireError, nodeId: string | undefined, retryable: boolean): FailedOutcome => ({
    kind: 'failed',
    error,
    callId,
    nodeId,
    attempts,
    retryable,
  });
  for (;;) {
    if (signal?.aborted)
      return gaveUp(
        { code: GatewayErrorCode.Cancelled, message: `Call to tool ${entry.name} was cancelled` },
        undefined,
        false,
      );
    const exclude = tried.size === 0 && declined.size === 0 ? NOTHING : new Set([...tried, ...declined]);
    const plan = deps.placer.plan(entry, request.body.arguments, constraints, exclude);
    let nodeId: string | undefined;
    if (plan.kind === 'nodes') {
      const avoid = request.avoid;
      const preferred = avoid === undefined ? plan.nodes : plan.nodes.filter((n) => !avoid.has(n.nodeId));
      // Only avoided nodes are left because the others are full right now: wait for those rather
      // than go back to a node the work already failed on.
      nodeId = preferred.length > 0 || declined.size === 0 ? (preferred[0] ?? plan.nodes[0])?.nodeId : undefined;
    }
    if (plan.kind === 'none' || (plan.kind === 'nodes' && nodeId === undefined)) {
      if (declined.size > 0 && last === undefined) {
        if (Date.now() < overloadUntil) {
          await sleep(backoffMs, undefined, signal ? { signal } : {}).catch(() => {});
          backoffMs = Math.min(backoffMs * 2, 100);
          declined.clear();
          continue;
        }
        const message = `Every node that can run tool ${entry.name} is at its concurrency limit`;
        return gaveUp({ code: GatewayErrorCode.Overloaded, message }, undefined, true);
      }
      if (plan.kind === 'none') {
        const error = { code: plan.code, message: plan.message };
        return last ?? gaveUp(error, undefined, plan.code !== GatewayErrorCode.NoMatchingNode);
      }
      nodeId = plan.nodes[0]?.nodeId;
    }
    const attempt = await attemptOn(deps, request, nodeId);
    switch (attempt.kind) {
      case 'answer':
        return { ...attempt.outcome, attempts: attempts + 1 };
      case 'declined':
        if (attempt.nodeId !== undefined) declined.add(attempt.nodeId);
        continue;
      case 'unreached':
        if (attempt.nodeId !== undefined) tried.add(attempt.nodeId);
        last = gaveUp(attempt.error, attempt.nodeId, true);
        continue;
      case 'lost':
        attempts++;
        last = gaveUp(attempt.error, attempt.nodeId, true);
        if (
          !request.safe ||
          attempts >= (request.maxAttempts ?? deps.settings.maxAttempts) ||
          attempt.nodeId === undefined
        )
          return last;
        tried.add(attempt.nodeId);
        continue;
    }
  }
}

async function attemptOn(deps: DispatchDeps, request: DispatchRequest, nodeId: string | undefined): Promise<Attempt> {
  const { entry, timeoutMs } = request;
  const subject = nodeId === undefined ? toolSubject(entry.name) : nodeCallSubject(nodeId);
  const scope = nodeId === undefined ? undefined : deps.attempts.open(nodeId, request.signal);
  if (nodeId !== undefined) {
    deps.breakers.begin(nodeId);
    deps.load.begin(nodeId);
  }
  const started = performance.now();
  let sample: number | undefined;
  try {
    const { response, nodeId: replier } = await invokeTool(deps.rpc, subject, request.body, {
      timeoutMs: timeoutMs + DEADLINE_GRACE_MS,
      deadline: Date.now() + timeoutMs,
      callId: request.callId,
      ...(request.notifySubject ? { notifySubject: request.notifySubject } : {}),
      ...(scope ? { signal: scope.signal } : request.signal ? { signal: request.signal } : {}),
    });
    const answeredBy = replier;
    if (!response.ok && response.error.code === WireErrorCode.Overloaded) {
      if (nodeId !== undefined) deps.breakers.neutral(nodeId);
      return { kind: 'declined', nodeId: answeredBy };
    }
    if (!response.ok && response.error.code === WireErrorCode.VersionMismatch) {
      // The node refused it unread: another node (of this release) may take it; its breaker remembers.
      deps.breakers.failure(answeredBy);
      return { kind: 'unreached', nodeId: answeredBy, error: response.error };
    }
    if (!response.ok && response.error.code === WireErrorCode.ShuttingDown) {
      if (nodeId !== undefined) deps.breakers.neutral(nodeId);
      return { kind: 'lost', nodeId: answeredBy, error: response.error };
    }
    sample = performance.now() - started;
    if (nodeId !== undefined) deps.breakers.success(nodeId);
    return { kind: 'answer', outcome: outcomeOfResponse(response, answeredBy, request.callId) };
  } catch (error) {
    return failedAttempt(deps, request, nodeId, error);
  } finally {
    scope?.close();
    if (nodeId !== undefined) deps.load.end(nodeId, sample);
  }
}

function failedAttempt(
  deps: DispatchDeps,
  request: DispatchRequest,
  nodeId: string | undefined,
  error: unknown,
): Attempt {
  const { entry } = request;
  let failure: MeshFailure;
  try {
    failure = classifyMeshFailure(error);
  } catch (refusal) {
    // The request never left (too large, no mesh): not the node's fault.
    if (nodeId !== undefined) deps.breakers.neutral(nodeId);
    throw refusal;
  }
  const wireError = meshFailureError(failure, { what: `tool ${entry.name}`, timeoutMs: request.timeoutMs, nodeId });
  switch (failure.kind) {
    case 'no-responders':
      if (nodeId === undefined) {
        // Nobody subscribes to the tool's subject, so every advertised provider is gone.
        for (const provider of entry.providers) deps.registry.forgetNode(provider);
      } else {
        deps.breakers.failure(nodeId);
        deps.registry.forgetNode(nodeId);
      }
      return { kind: 'unreached', nodeId, error: wireError };
    case 'cancelled':
      if (nodeId !== undefined) deps.breakers.neutral(nodeId);
      return {
        kind: 'answer',
        outcome: { kind: 'failed', error: wireError, callId: request.callId, nodeId: undefined },
      };
    case 'timeout':
    case 'node-gone':
    case 'version-mismatch':
    case 'unreadable':
      if (nodeId !== undefined) deps.breakers.failure(nodeId);
      return { kind: 'lost', nodeId, error: wireError };
  }
}
