import { setTimeout as sleep } from 'node:timers/promises';
import {
  nodeCallSubject,
  toolSubject,
  WireErrorCode,
  type CallRequest,
  type CallResponse,
  type PlacementConstraints,
} from '@easyremote/protocol';
import { invokeTool, type RpcClient } from '@easyremote/mesh';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { LocalLoad } from './local-load.js';
import { classifyMeshFailure, type MeshFailure } from './mesh-failure.js';
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
  body: CallRequest;
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

export type DispatchOutcome =
  | { kind: 'answer'; response: CallResponse; nodeId: string | undefined; attempts: number }
  | {
      kind: 'failure';
      code: string;
      message: string;
      nodeId: string | undefined;
      attempts: number;
      retryable: boolean;
    };

/** What one attempt on one node came to. */
type Attempt =
  | { kind: 'answer'; response: CallResponse; nodeId: string | undefined }
  /** The node said no before running anything (full): try another, or the same one a bit later. */
  | { kind: 'declined'; nodeId: string | undefined }
  /** Nothing ran (no responders): try another node, always safe. */
  | { kind: 'unreached'; nodeId: string | undefined; code: string; message: string }
  /** The call may have run (timeout, node died or shut down mid-call): retry only when safe. */
  | { kind: 'lost'; nodeId: string | undefined; code: string; message: string };

/**
 * Sends one call (or one fan-out chunk) to a node chosen by the placer, and keeps going until it ends
 * in an answer or a clear failure: a full node's decline moves on to the next node (after every node
 * declined, waits with backoff up to `overloadWaitMs`); an unreached node is forgotten and the next
 * tried; a lost call is retried on another node only when `safe`, at most `maxAttempts` times. Never
 * waits longer than attempts × (timeout + grace) + the overload wait.
 */
export async function dispatchCall(deps: DispatchDeps, request: DispatchRequest): Promise<DispatchOutcome> {
  const { entry, constraints, signal } = request;
  const tried = new Set<string>();
  const declined = new Set<string>();
  const overloadUntil =
    Date.now() + Math.min(request.overloadWaitMs ?? deps.settings.overloadWaitMs, request.timeoutMs);
  let backoffMs = 5;
  let attempts = 0;
  let last: Extract<DispatchOutcome, { kind: 'failure' }> | undefined;
  for (;;) {
    if (signal?.aborted)
      return {
        kind: 'failure',
        code: GatewayErrorCode.Cancelled,
        message: `Call to ${entry.name} was cancelled`,
        nodeId: undefined,
        attempts,
        retryable: false,
      };
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
        return {
          kind: 'failure',
          code: GatewayErrorCode.Overloaded,
          message: `Every node that can run tool ${entry.name} is at its concurrency limit`,
          nodeId: undefined,
          attempts,
          retryable: true,
        };
      }
      if (plan.kind === 'none') {
        return (
          last ?? {
            kind: 'failure',
            code: plan.code,
            message: plan.message,
            nodeId: undefined,
            attempts,
            retryable: plan.code !== GatewayErrorCode.NoMatchingNode,
          }
        );
      }
      nodeId = plan.nodes[0]?.nodeId;
    }
    const attempt = await attemptOn(deps, request, nodeId);
    switch (attempt.kind) {
      case 'answer':
        return { ...attempt, attempts: attempts + 1 };
      case 'declined':
        if (attempt.nodeId !== undefined) declined.add(attempt.nodeId);
        continue;
      case 'unreached':
        if (attempt.nodeId !== undefined) tried.add(attempt.nodeId);
        last = {
          kind: 'failure',
          code: attempt.code,
          message: attempt.message,
          nodeId: attempt.nodeId,
          attempts,
          retryable: true,
        };
        continue;
      case 'lost':
        attempts++;
        last = {
          kind: 'failure',
          code: attempt.code,
          message: attempt.message,
          nodeId: attempt.nodeId,
          attempts,
          retryable: true,
        };
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
    const answeredBy = replier ?? nodeId;
    if (!response.ok && response.error.code === WireErrorCode.Overloaded) {
      if (nodeId !== undefined) deps.breakers.neutral(nodeId);
      return { kind: 'declined', nodeId: answeredBy };
    }
    if (!response.ok && response.error.code === WireErrorCode.ShuttingDown) {
      if (nodeId !== undefined) deps.breakers.neutral(nodeId);
      return { kind: 'lost', nodeId: answeredBy, code: response.error.code, message: response.error.message };
    }
    sample = performance.now() - started;
    if (nodeId !== undefined) deps.breakers.success(nodeId);
    return { kind: 'answer', response, nodeId: answeredBy };
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
  const { entry, timeoutMs } = request;
  const where = nodeId === undefined ? '' : ` on node ${nodeId}`;
  let failure: MeshFailure;
  try {
    failure = classifyMeshFailure(error);
  } catch (refusal) {
    // The request never left (too large, no mesh): not the node's fault.
    if (nodeId !== undefined) deps.breakers.neutral(nodeId);
    throw refusal;
  }
  switch (failure.kind) {
    case 'no-responders':
      if (nodeId === undefined) {
        // Nobody subscribes to the tool's subject, so every advertised provider is gone.
        for (const provider of entry.providers) deps.registry.forgetNode(provider);
      } else {
        deps.breakers.failure(nodeId);
        deps.registry.forgetNode(nodeId);
      }
      return {
        kind: 'unreached',
        nodeId,
        code: GatewayErrorCode.NoNode,
        message: `No node is serving tool ${entry.name} right now`,
      };
    case 'timeout':
      if (nodeId !== undefined) deps.breakers.failure(nodeId);
      return {
        kind: 'lost',
        nodeId,
        code: GatewayErrorCode.Timeout,
        message: `Tool ${entry.name} did not answer within ${timeoutMs} ms${where}`,
      };
    case 'node-gone':
      if (nodeId !== undefined) deps.breakers.failure(nodeId);
      return {
        kind: 'lost',
        nodeId,
        code: GatewayErrorCode.NodeGone,
        message: `Node ${failure.nodeId} left the mesh while running tool ${entry.name}`,
      };
    case 'cancelled':
      if (nodeId !== undefined) deps.breakers.neutral(nodeId);
      return {
        kind: 'answer',
        response: {
          ok: false,
          error: { code: GatewayErrorCode.Cancelled, message: `Call to ${entry.name} was cancelled` },
        },
        nodeId: undefined,
      };
    case 'unreadable':
      if (nodeId !== undefined) deps.breakers.failure(nodeId);
      return {
        kind: 'lost',
        nodeId,
        code: GatewayErrorCode.BadNodeReply,
        message: `The node serving ${entry.name} sent a reply the gateway could not read`,
      };
  }
}
