import {
  CANCEL_SUBJECT,
  decodeCancelCall,
  type CallResponse,
  type Logger,
  type NodeTaskState,
  MESH_PROTOCOL_VERSION,
} from '@easyremote/protocol';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { CallOutcome } from '../pipeline/call-pipeline.js';
import type { TaskStore } from './task-store.js';

/** How often a replica running tasks itself says it is alive, and after how long without it is not. */
export const GATEWAY_HEARTBEAT_MS = 2_000;
export const GATEWAY_GONE_MS = 3 * GATEWAY_HEARTBEAT_MS;

interface Running {
  readonly controller: AbortController;
}

/**
 * Tasks this replica runs itself: a fan-out tool's task, whose chunks run on many nodes, so no one
 * node can own it. The outcome is written as the task's state under `n.<gatewayId>.<taskId>` (the
 * replica stands where a node would), the replica writes a heartbeat `gw.<gatewayId>` while it runs
 * any, so other replicas can fail its tasks once it is gone, and a task's cancellation
 * (`calls.cancel` naming its call id) aborts the work.
 */
export class GatewayTaskRunner {
  readonly gatewayId: string;
  readonly #store: TaskStore;
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #running = new Map<string, Running>();
  #heartbeat: NodeJS.Timeout | undefined;
  #cancels: Subscription | undefined;

  constructor(gatewayId: string, deps: { store: TaskStore; nc: NatsConnection; logger: Logger }) {
    this.gatewayId = gatewayId;
    this.#store = deps.store;
    this.#nc = deps.nc;
    this.#logger = deps.logger;
  }

  /** Starts `work` as the task `taskId` (call `callId`); returns at once. */
  start(taskId: string, callId: string, work: (signal: AbortSignal) => Promise<CallOutcome>): void {
    const controller = new AbortController();
    this.#running.set(callId, { controller });
    this.#beat();
    void work(controller.signal)
      .then(
        (outcome) => this.#write(taskId, callId, responseOf(outcome)),
        (error: unknown) =>
          this.#write(taskId, callId, {
            ok: false,
            error: { code: 'GW_ERR_INTERNAL', message: (error as Error).message },
          }),
      )
      .finally(() => {
        this.#running.delete(callId);
        if (this.#running.size === 0) this.#stopBeating();
      });
  }

  /** Aborts every task this replica runs (the replica stops). */
  stop(): void {
    this.#stopBeating();
    for (const { controller } of this.#running.values()) controller.abort(new Error('the gateway stopped'));
  }

  async #write(taskId: string, callId: string, response: CallResponse): Promise<void> {
    const state: NodeTaskState = {
      v: MESH_PROTOCOL_VERSION,
      callId,
      node: this.gatewayId,
      seq: 1,
      at: Date.now(),
      response,
    };
    await this.#store.writeRunnerState(taskId, state).catch((error: unknown) => {
      this.#logger.error({ err: error, taskId }, 'could not store the outcome of a task this gateway ran');
    });
  }

  #beat(): void {
    if (this.#heartbeat !== undefined) return;
    const beat = () =>
      void this.#store.heartbeat(this.gatewayId).catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'could not write the task heartbeat');
      });
    beat();
    this.#heartbeat = setInterval(beat, GATEWAY_HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#cancels ??= this.#nc.subscribe(CANCEL_SUBJECT, {
      callback: (error, msg) => {
        if (error) return;
        try {
          this.#running.get(decodeCancelCall(msg.data).callId)?.controller.abort(new Error('task cancelled'));
        } catch {
          // not a cancel we can read
        }
      },
    });
  }

  #stopBeating(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#cancels?.unsubscribe();
    this.#cancels = undefined;
  }
}

function responseOf(outcome: CallOutcome): CallResponse {
  if (outcome.kind === 'result') return { ok: true, result: outcome.result };
  if (outcome.kind === 'failed') return { ok: false, error: outcome.error };
  return { ok: false, error: { code: 'GW_ERR_BAD_NODE_REPLY', message: `a fan-out task ended as ${outcome.kind}` } };
}
