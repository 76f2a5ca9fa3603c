import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CANCEL_SUBJECT, encodeJson, type Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { GatewayErrorCode } from '../errors.js';
import { failedOutcome, outcomeOfResponse, type CallOutcome } from '../pipeline/call-pipeline.js';
import { DEADLINE_GRACE_MS } from '../routing/call-dispatch.js';
import type { ChunkState, FanoutJournal, JournalHeader } from '../routing/fanout-journal.js';
import type { NodeDepartures } from './node-departures.js';
import type { TaskStore } from './task-store.js';

/** How often a running chunk's state is read: soon at first (most chunks are short), then less often. */
const FIRST_READ_MS = 20;
const LAST_READ_MS = 500;

export interface FanoutJournalsDeps {
  store: TaskStore;
  registry: RegistryView;
  departures: NodeDepartures;
  nc: NatsConnection;
  logger: Logger;
}

/** The fan-out journals of one replica, over the tasks bucket (see FanoutJournal). */
export class FanoutJournals {
  readonly #deps: FanoutJournalsDeps;

  constructor(deps: FanoutJournalsDeps) {
    this.#deps = deps;
  }

  /** The journal of fan-out task `taskId`; `mayDispatch` says whether this replica may still start work. */
  journal(taskId: string, resumed: boolean, mayDispatch: () => boolean): FanoutJournal {
    const { store } = this.#deps;
    let salt: string | undefined;
    let kept: Promise<JournalHeader | undefined> | undefined;
    return {
      taskId,
      resumed,
      kept: () =>
        (kept ??= resumed
          ? store.journal(taskId).then((header) => {
              salt = header?.salt;
              return header;
            })
          : Promise.resolve(undefined)),
      begin: async (header) => {
        const stored = await store.createJournal(taskId, { ...header, salt: randomBytes(16).toString('base64url') });
        salt = stored.salt;
      },
      chunkTaskId: (index) => {
        if (salt === undefined) throw new Error(`the journal of task ${taskId} is not open`);
        // 132 bits of a keyed hash: a node that runs one chunk cannot name another.
        return createHash('sha256').update(`${salt}:${index}`).digest('base64url').slice(0, 22);
      },
      mayDispatch,
      statesOf: async (chunkTaskId) =>
        (await store.statesOf(chunkTaskId)).map((state): ChunkState => ({
          nodeId: state.node,
          callId: state.callId,
          response: state.response,
        })),
      awaitChunk: (chunk, options) => this.#awaitChunk(chunk, options),
    };
  }

  /**
   * Reads the chunk's state until it ends. The chunk fails when its node is gone (left the mesh
   * and not finishing gracefully, or restarted as another instance), asks for client input (which
   * chunks cannot), or outlives its deadline; the last two are cancelled on the node.
   */
  async #awaitChunk(
    chunk: { nodeId: string; taskId: string; callId: string },
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<CallOutcome> {
    const { store, registry, departures } = this.#deps;
    const { nodeId, taskId, callId } = chunk;
    const { signal } = options;
    const deadline = Date.now() + options.timeoutMs + DEADLINE_GRACE_MS;
    const instanceId = registry.node(nodeId)?.advert.instanceId;
    for (let wait = FIRST_READ_MS; ; wait = Math.min(LAST_READ_MS, wait * 2)) {
      if (signal.aborted) return failedOutcome(callId, GatewayErrorCode.Cancelled, 'the fan-out stopped', { nodeId });
      const response = (await store.nodeState(nodeId, taskId, callId))?.response;
      if (response !== undefined && !(response.ok && 'taskStarted' in response)) {
        if (response.ok && 'inputRequired' in response) this.#cancel(callId, 'a chunk cannot ask for client input');
        return outcomeOfResponse(response, nodeId, callId);
      }
      const node = registry.node(nodeId);
      const gone =
        node === undefined
          ? !departures.finishing(nodeId)
          : instanceId !== undefined && node.advert.instanceId !== instanceId;
      // A node that stored its outcome and then left did finish the chunk.
      const last = gone ? (await store.nodeState(nodeId, taskId, callId))?.response : undefined;
      if (last !== undefined && !(last.ok && 'taskStarted' in last)) return outcomeOfResponse(last, nodeId, callId);
      if (gone)
        return {
          ...failedOutcome(callId, GatewayErrorCode.NodeGone, `node ${nodeId} left the mesh while running the chunk`, {
            nodeId,
          }),
          retryable: true,
        };
      if (Date.now() > deadline) {
        this.#cancel(callId, 'the chunk outlived its deadline');
        return failedOutcome(callId, GatewayErrorCode.Timeout, `the chunk on node ${nodeId} outlived its deadline`, {
          nodeId,
        });
      }
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }

  #cancel(callId: string, reason: string): void {
    this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId, reason }));
  }
}
