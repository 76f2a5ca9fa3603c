import {
  CANCEL_SUBJECT,
  decodeCancelCall,
  type CallResponse,
  type Logger,
  type NodeTaskState,
  MESH_PROTOCOL_VERSION,
} from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { CallOutcome } from '../pipeline/call-pipeline.js';
import type { FanoutJournal } from '../routing/fanout-journal.js';
import { GatewayErrorCode } from '../errors.js';
import { FanoutHandover } from '../routing/fanout-runner.js';
import { FanoutJournals } from './fanout-journals.js';
import type { NodeDepartures } from './node-departures.js';
import type { TaskStore } from './task-store.js';

/** How often a replica running tasks itself says it is alive, and after how long without it is not. */
export const GATEWAY_HEARTBEAT_MS = 2_000;
export const GATEWAY_GONE_MS = 3 * GATEWAY_HEARTBEAT_MS;
/**
 * A replica whose heartbeat has not been stored for this long hands its tasks over itself, before
 * any reader can find it gone: a replica cut off from JetStream (or stalled) never runs work that
 * another replica has taken over.
 */
const FENCE_MS = GATEWAY_GONE_MS - GATEWAY_HEARTBEAT_MS;

interface Running {
  readonly controller: AbortController;
}

/**
 * Tasks this replica runs itself: a fan-out tool's task, whose chunks run on many nodes, so no one
 * node can own it. The outcome is written as the task's state under `n.<gatewayId>.<taskId>` (the
 * replica stands where a node would), the replica writes a heartbeat `gw.<gatewayId>` while it runs
 * any, so other replicas can take its tasks over once it is gone (the chunks' journal,
 * fanout-journal.ts), and a task's cancellation (`calls.cancel` naming its call id) aborts the work.
 * A replica that stops hands its tasks over: the chunks run on, and it writes no outcome.
 */
export class GatewayTaskRunner {
  readonly gatewayId: string;
  readonly #store: TaskStore;
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #journals: FanoutJournals;
  readonly #running = new Map<string, Running>();
  #heartbeat: NodeJS.Timeout | undefined;
  /** When a heartbeat was last stored (acknowledged by JetStream). */
  #lastBeat = 0;
  #cancels: Subscription | undefined;

  constructor(
    gatewayId: string,
    deps: { store: TaskStore; nc: NatsConnection; logger: Logger; registry: RegistryView; departures: NodeDepartures },
  ) {
    this.gatewayId = gatewayId;
    this.#store = deps.store;
    this.#nc = deps.nc;
    this.#logger = deps.logger;
    this.#journals = new FanoutJournals(deps);
  }

  /** Where the fan-out task `taskId` keeps its chunks' progress; `resumed` when this run takes it over. */
  journal(taskId: string, resumed: boolean): FanoutJournal {
    return this.#journals.journal(taskId, resumed, () => !this.#fenced());
  }

  /** Starts `work` as the task `taskId` (call `callId`); returns at once. */
  start(taskId: string, callId: string, work: (signal: AbortSignal) => Promise<CallOutcome>): void {
    const controller = new AbortController();
    this.#running.set(callId, { controller });
    this.#beat();
    const handedOver = (): boolean => controller.signal.reason instanceof FanoutHandover;
    void work(controller.signal)
      .then(
        // Handed over: nothing to write, unless the work had ended anyway.
        (outcome) =>
          handedOver() && outcome.kind === 'failed' && outcome.error.code === GatewayErrorCode.Cancelled
            ? undefined
            : this.#write(taskId, callId, responseOf(outcome)),
        (error: unknown) =>
          handedOver()
            ? undefined
            : this.#write(taskId, callId, {
                ok: false,
                error: { code: 'GW_ERR_INTERNAL', message: (error as Error).message },
              }),
      )
      .finally(() => {
        this.#running.delete(callId);
        if (this.#running.size === 0) this.#stopBeating();
      });
  }

  /** Hands every task this replica runs over (the replica stops): another replica takes them over. */
  stop(): void {
    this.#stopBeating();
    this.#handOver();
  }

  #handOver(): void {
    for (const { controller } of this.#running.values()) controller.abort(new FanoutHandover());
  }

  /** Whether this replica lost its heartbeat for FENCE_MS; if so, it hands its tasks over now. */
  #fenced(): boolean {
    if (this.#heartbeat === undefined || Date.now() - this.#lastBeat <= FENCE_MS) return false;
    this.#logger.warn({ gatewayId: this.gatewayId }, 'task heartbeat not stored for too long: handing tasks over');
    this.#handOver();
    return true;
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
    const limit = (this.#nc.info?.max_payload ?? 1024 * 1024) - 1024;
    await this.#store.writeRunnerState(taskId, state, limit).catch((error: unknown) => {
      this.#logger.error({ err: error, taskId }, 'could not store the outcome of a task this gateway ran');
    });
  }

  #beat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#lastBeat = Date.now();
    const beat = () => {
      if (this.#fenced()) return;
      this.#store.heartbeat(this.gatewayId).then(
        () => (this.#lastBeat = Date.now()),
        (error: unknown) => this.#logger.warn({ err: error }, 'could not write the task heartbeat'),
      );
    };
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
