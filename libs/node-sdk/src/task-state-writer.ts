import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  MESH_PROTOCOL_VERSION,
  nodeTaskKey,
  taskChunkKey,
  taskStateValues,
  TASKS_BUCKET,
  type CallResponse,
  type Logger,
  type NodeTaskState,
} from '@easyremote/protocol';

/** About a minute of trying (backoff up to 10 s): nobody else can store a task's state, least of all its outcome. */
const WRITE_ATTEMPTS = 10;
/** How long the bind's probe write may take: a write the server refuses is never acknowledged. */
const PROBE_TIMEOUT_MS = 3_000;

export interface TaskStateWriterOptions {
  /** JetStream domain of the hub, for a node attached to a leaf server. */
  domain?: string | undefined;
  bucket?: string | undefined;
  logger: Logger;
  /** Largest task state (its result, mostly) the node stores; larger ones end the task with NODE_ERR_RESULT_TOO_LARGE. */
  maxStateBytes: number;
}

/**
 * Writes the state of the tasks this node runs under `n.<nodeId>.<taskId>` in the tasks bucket,
 * where every gateway replica reads it. The bucket is the gateways' to create; the node only binds
 * to it (a node user may write its own keys and nothing else), on the first task call.
 */
export class TaskStateWriter {
  readonly #nc: NatsConnection;
  readonly #nodeId: string;
  readonly #options: TaskStateWriterOptions;
  #kv: Promise<KV> | undefined;

  constructor(nc: NatsConnection, nodeId: string, options: TaskStateWriterOptions) {
    this.#nc = nc;
    this.#nodeId = nodeId;
    this.#options = options;
  }

  /**
   * Resolves once the bucket is bound and this node may write its own keys there (a probe write of
   * `n.<nodeId>.probe`: a NATS user without the task grant is found now, before a task starts,
   * not at its first state); a failed bind is tried again on the next call.
   */
  ready(): Promise<KV> {
    this.#kv ??= (async () => {
      const js =
        this.#options.domain === undefined
          ? jetstream(this.#nc)
          : jetstream(this.#nc, { domain: this.#options.domain });
      const kv = await new Kvm(js).open(this.#options.bucket ?? TASKS_BUCKET);
      await kv.put(`n.${this.#nodeId}.probe`, '', { timeout: PROBE_TIMEOUT_MS });
      return kv;
    })();
    this.#kv.catch(() => {
      this.#kv = undefined;
    });
    return this.#kv;
  }

  /**
   * Stores one state of a task; tries a few times, then logs, since nobody else can store it.
   * Resolves with whether it was stored.
   */
  async write(taskId: string, callId: string, seq: number, response: CallResponse | undefined): Promise<boolean> {
    const state: NodeTaskState = {
      v: MESH_PROTOCOL_VERSION,
      callId,
      node: this.#nodeId,
      seq,
      at: Date.now(),
      ...(response === undefined ? {} : { response }),
    };
    const limit = (this.#nc.info?.max_payload ?? 1024 * 1024) - 1024;
    // Too large for one KV value (one NATS message): the state goes in chunks under the node's own
    // keys; past the node's limit the task ends with the reason instead.
    const { entry, chunks } = taskStateValues(state, limit, this.#options.maxStateBytes);
    const key = nodeTaskKey(this.#nodeId, taskId);
    for (let attempt = 1; ; attempt++) {
      try {
        const kv = await this.ready();
        // The chunks first: a reader that sees the state entry finds every chunk it names.
        await Promise.all(chunks.map((chunk, index) => kv.put(taskChunkKey(this.#nodeId, taskId, seq, index), chunk)));
        await kv.put(key, entry);
        return true;
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) {
          this.#options.logger.error({ err: error, taskId, callId, seq }, 'could not store a task state');
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 200 * 2 ** attempt)));
      }
    }
  }
}
