import { CANCEL_SUBJECT, encodeJson, type Logger } from '@easyremote/protocol';
import { resumeOnNode, type RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { GatewayErrorCode } from '../errors.js';
import { McpProtocolError } from '../mcp/protocol-error.js';
import { randomUUID } from 'node:crypto';
import type { CallOutcome } from '../pipeline/call-pipeline.js';
import { GATEWAY_GONE_MS } from './gateway-task-runner.js';
import type { NodeDepartures } from './node-departures.js';
import { unknownTask } from './task-protocol.js';
import { isExpired, isTerminal, taskState, type TaskState } from './task-state.js';
import type { StoredTask, TaskRecord, TaskStore } from './task-store.js';

/** How long handing answers to a node waits for it to take them before giving up on it. */
const RESUME_TIMEOUT_MS = 5_000;

export interface TaskServiceDeps {
  store: TaskStore;
  registry: RegistryView;
  nc: NatsConnection;
  rpc: RpcClient;
  logger: Logger;
  departures: NodeDepartures;
  /**
   * Runs a task of an idempotent tool (or takes a fan-out's over) again, as call `callId`, elsewhere than where it
   * died (the call runner); without it such tasks fail like any other.
   */
  redispatch?: ((record: TaskRecord, callId: string) => Promise<CallOutcome>) | undefined;
  /** Runs a task may have in all (`EASYREMOTE_CALL_ATTEMPTS`). */
  maxAttempts?: number | undefined;
}

/** How long a replica placing a task again keeps the others off it (then another may try). */
const PLACING_MS = 30_000;

/**
 * What both eras' `tasks/*` methods do to a task, on any replica: find the caller's own task, read
 * its state (failing it once when its node left the mesh), hand input to its node, cancel it. Every
 * change is a compare-and-set on the task's record, so replicas deciding at once agree.
 */
export class TaskOperations {
  readonly #deps: TaskServiceDeps;
  /** The last heartbeat revision seen of each replica running fan-out tasks, and when it was seen to change. */
  readonly #beats = new Map<string, { revision: number | undefined; seenAt: number }>();

  constructor(deps: TaskServiceDeps) {
    this.#deps = deps;
  }

  /** The caller's own live task; an unknown, expired and someone else's task get one answer (-32602). */
  async own(taskId: string, principal: string | undefined): Promise<StoredTask> {
    const task = await this.#deps.store.read(taskId);
    if (task === undefined || task.record.owner !== (principal ?? null) || isExpired(task.record, Date.now()))
      throw unknownTask(taskId);
    return task;
  }

  /** A fresh read of a task already known to be the caller's; undefined once it expired or is gone. */
  async reread(task: StoredTask): Promise<StoredTask | undefined> {
    const fresh = await this.#deps.store.read(task.record.taskId);
    return fresh === undefined || isExpired(fresh.record, Date.now()) ? undefined : fresh;
  }

  /**
   * The task's state, with one check no node can make: a task whose node left the mesh (or
   * restarted) while it ran is failed, once and for every replica.
   */
  async settled(task: StoredTask): Promise<{ task: StoredTask; state: TaskState }> {
    const state = taskState(task);
    if (isTerminal(state.status)) return { task, state };
    const error = await this.#runnerGone(task);
    if (error === undefined) return { task, state };
    const retried = await this.#runAgain(task);
    if (retried !== undefined) return { task: retried, state: taskState(retried) };
    const stored = await this.#deps.store.update(task.record.taskId, (current) =>
      isTerminal(taskState(current).status)
        ? undefined
        : { ...current.record, updatedAt: Date.now(), verdict: { status: 'failed', error } },
    );
    return stored === undefined ? { task, state } : { task: stored, state: taskState(stored) };
  }

  /**
   * A task of an idempotent tool whose node died runs again, and a fan-out's whose replica died is
   * taken over (its chunks' journal: none runs twice), once
   * per death and for every replica: the replica that wins the compare-and-set places it, the others
   * see it working meanwhile. Undefined when it may not (nothing kept to run it again, out of attempts): it fails then.
   */
  async #runAgain(task: StoredTask): Promise<StoredTask | undefined> {
    const { redispatch } = this.#deps;
    const retry = task.record.retry;
    // A fan-out's task runs again on the replica that places it (its runner), any other on a node.
    if (redispatch === undefined || retry === undefined) return undefined;
    if (retry.attempts >= (this.#deps.maxAttempts ?? 1)) return undefined;
    if (retry.placingSince !== undefined && Date.now() - retry.placingSince < PLACING_MS) return task;
    const { taskId, callId: lostCall } = task.record;
    let claimed = false;
    const placing = await this.#deps.store.update(taskId, (current) => {
      if (current.record.callId !== lostCall || isTerminal(taskState(current).status)) return undefined;
      claimed = true;
      return { ...current.record, updatedAt: Date.now(), retry: { ...retry, placingSince: Date.now() } };
    });
    if (!claimed || placing === undefined) return placing;
    const callId = randomUUID();
    const outcome = await redispatch(placing.record, callId).catch((error: unknown): CallOutcome => ({
      kind: 'failed',
      callId,
      nodeId: undefined,
      error: { code: GatewayErrorCode.Internal, message: (error as Error).message },
    }));
    this.#deps.logger.info(
      { taskId, lostNode: task.record.nodeId, outcome: outcome.kind, nodeId: outcome.nodeId },
      'ran a task again after its node (or replica) left',
    );
    return this.#deps.store.update(taskId, (current) => {
      if (current.record.callId !== lostCall || current.record.verdict !== undefined) return undefined;
      const { placingSince: _placed, ...kept } = retry;
      if (outcome.kind === 'task')
        return {
          ...current.record,
          nodeId: outcome.nodeId,
          instanceId: this.#deps.registry.node(outcome.nodeId)?.advert.instanceId,
          callId,
          updatedAt: Date.now(),
          answered: undefined,
          retry: { ...kept, attempts: retry.attempts + 1 },
        };
      const error =
        outcome.kind === 'failed'
          ? {
              code: -32603,
              message: `the task's node left and running it again failed: ${outcome.error.message}`,
              data: { code: outcome.error.code },
            }
          : { code: -32603, message: 'the task could not be run again', data: { code: GatewayErrorCode.NodeGone } };
      return { ...current.record, updatedAt: Date.now(), verdict: { status: 'failed', error } };
    });
  }

  /** Why the task's runner is gone (its node left the registry, its gateway stopped heartbeating), or undefined. */
  async #runnerGone(task: StoredTask): Promise<{ code: number; message: string; data: { code: string } } | undefined> {
    const { nodeId, instanceId, runner } = task.record;
    if (runner === 'gateway') {
      if (await this.#beating(nodeId)) return undefined;
      return {
        code: -32603,
        message: `gateway replica ${nodeId}, which ran this fan-out task, is gone`,
        data: { code: GatewayErrorCode.TaskRunnerGone },
      };
    }
    const node = this.#deps.registry.node(nodeId);
    if (node !== undefined && (instanceId === undefined || node.advert.instanceId === instanceId)) return undefined;
    if (node === undefined && this.#deps.departures.finishing(nodeId)) return undefined;
    return {
      code: -32603,
      message: `node ${nodeId} left the mesh while running the task`,
      data: { code: GatewayErrorCode.NodeGone },
    };
  }

  /**
   * Whether a replica running fan-out tasks still writes its heartbeat: judged by the revision
   * changing, as this replica's clock sees it (no clock of another host is compared).
   */
  async #beating(gatewayId: string): Promise<boolean> {
    const revision = await this.#deps.store.heartbeatRevision(gatewayId);
    const now = Date.now();
    const seen = this.#beats.get(gatewayId);
    if (seen === undefined || seen.revision !== revision) {
      this.#beats.set(gatewayId, { revision, seenAt: now });
      return true;
    }
    return now - seen.seenAt < GATEWAY_GONE_MS;
  }

  /**
   * Answers to a task's input requests: the answered keys leave `inputRequests` at once (on every
   * replica), then the node gets the answers and resumes the handler. Keys the task does not wait on
   * are ignored; returns the keys taken.
   */
  async answer(task: StoredTask, responses: Readonly<Record<string, unknown>>): Promise<string[]> {
    const state = taskState(task);
    if (state.status !== 'input_required' || task.node === undefined) return [];
    const seq = task.node.seq;
    const keys = Object.keys(responses).filter((key) => Object.hasOwn(state.inputRequests ?? {}, key));
    if (keys.length === 0) return [];
    const answers = Object.fromEntries(keys.map((key) => [key, responses[key]]));
    // The node first: answers it did not take are not marked answered, so they can be given again.
    const taken = await resumeOnNode(this.#deps.rpc, task.record.nodeId, answers, {
      callId: task.record.callId,
      timeoutMs: RESUME_TIMEOUT_MS,
    }).catch((error: unknown) => ({ ok: false as const, error: { code: 'MESH', message: (error as Error).message } }));
    if (!taken.ok) {
      this.#deps.logger.warn(
        { taskId: task.record.taskId, error: taken.error },
        'could not hand task input to its node',
      );
      throw new McpProtocolError(
        ProtocolErrorCode.InternalError,
        `The task's node did not take the answers (${taken.error.message}); send them again`,
      );
    }
    await this.#deps.store.update(task.record.taskId, ({ record, node }) => {
      if (record.verdict !== undefined || node?.seq !== seq) return undefined;
      const before = record.answered?.seq === seq ? record.answered.keys : [];
      return { ...record, updatedAt: Date.now(), answered: { seq, keys: [...new Set([...before, ...keys])] } };
    });
    return keys;
  }

  /** Cancels a running task and tells its node; resolves with the stored task, or undefined when it had ended. */
  async cancel(task: StoredTask): Promise<StoredTask | undefined> {
    let changed = false;
    const stored = await this.#deps.store.update(task.record.taskId, (current) => {
      changed = false;
      if (isTerminal(taskState(current).status)) return undefined;
      changed = true;
      return { ...current.record, updatedAt: Date.now(), verdict: { status: 'cancelled' } };
    });
    if (!changed) return undefined;
    this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId: task.record.callId, reason: 'task cancelled' }));
    return stored;
  }
}
