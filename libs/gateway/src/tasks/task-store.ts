import { createHash, randomBytes } from 'node:crypto';
import {
  decodeNodeTaskState,
  isValidTaskId,
  joinTaskState,
  nodeTaskKey,
  taskChunkKey,
  taskRecordKey,
  taskStateValues,
  TASKS_BUCKET,
  type Logger,
  type CallerClient,
  type CallerIdentity,
  type McpEra,
  type NodeTaskState,
} from '@easyremote/protocol';
import type { KV } from '@nats-io/kv';
import { openRegistry } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';

/** How a gateway ended a task itself: a cancellation, or a failure no node could report. */
export interface TaskVerdict {
  status: 'cancelled' | 'failed';
  /** A JSON-RPC error object (`failed` only). */
  error?: { code: number; message: string; data?: unknown };
}

/**
 * The gateways' record of a task (`t.<taskId>`): who owns it, what runs where, and what the
 * gateways decided about it. The node's own states live beside it (`n.<nodeId>.<taskId>`).
 */
export interface TaskRecord {
  v: 1;
  taskId: string;
  /** The principal that created it; null where authentication is off. Nobody else sees it. */
  owner: string | null;
  tool: string;
  nodeId: string;
  /** The node's advert instance when the task started: a restarted node is another instance. */
  instanceId: string | undefined;
  /** `gateway`: a fan-out task run by the replica `nodeId` names (a gateway id), not by a node. */
  runner?: 'gateway';
  /**
   * Set for a task of an idempotent tool or a fan-out tool: what it takes to run it again elsewhere when its
   * node dies (the arguments, who it is for, the client), and how often that has happened.
   */
  retry?: TaskRetry;
  callId: string;
  /** The front door that created it: an MCP era, or REST. */
  era: McpEra | 'rest';
  createdAt: number;
  updatedAt: number;
  ttlMs: number;
  pollIntervalMs: number;
  verdict?: TaskVerdict;
  /** Input answered through `tasks/update` for the node's state `seq`, not yet reflected by the node. */
  answered?: { seq: number; keys: string[] };
}

/** What a task of an idempotent (or fan-out) tool keeps to be run again elsewhere. */
export interface TaskRetry {
  arguments: Record<string, unknown>;
  caller: CallerIdentity;
  client: CallerClient | undefined;
  /** Nodes that have run it so far (1 at creation). */
  attempts: number;
  /** A replica is placing it again, since this time: others leave it alone meanwhile. */
  placingSince?: number;
}

/** A task as read from the store: the gateways' record, its revision, and the node's latest state. */
export interface StoredTask {
  record: TaskRecord;
  revision: number;
  node: NodeTaskState | undefined;
}

const UPDATE_ATTEMPTS = 5;

/** A fan-out task's journal header (`p.<taskId>`), written by the replica that split it. */
function journalKey(taskId: string): string {
  if (!isValidTaskId(taskId)) throw new TypeError(`invalid task id ${JSON.stringify(taskId)}`);
  return `p.${taskId}`;
}

/** The journal header as stored: how the fan-out split, its plan, and the salt of its chunk task ids. */
export interface StoredJournalHeader {
  salt: string;
  chunks: number;
  plan?: readonly unknown[] | undefined;
}

/** A key-safe token of a principal (principals may hold any character); null is authentication off. */
function ownerToken(owner: string | null): string {
  return owner === null ? 'open' : createHash('sha256').update(owner).digest('hex').slice(0, 32);
}

/**
 * The `easyremote-tasks` bucket as the gateways use it (ADR 0024): records are created before the
 * client hears of a task, read afresh on every `tasks/*` request (any replica answers, right after
 * another created it), and changed only by compare-and-set, so two replicas deciding at once cannot
 * overwrite each other.
 */
export class TaskStore {
  readonly #kv: KV;
  readonly #logger: Logger;

  private constructor(kv: KV, logger: Logger) {
    this.#kv = kv;
    this.#logger = logger;
  }

  /** Creates the bucket (or binds to it): entries outlive the task TTL by a minute, then expire. */
  static async open(
    nc: NatsConnection,
    options: { replicas: number; ttlMs: number; logger: Logger },
  ): Promise<TaskStore> {
    // The registry's opener: transient create failures retried, drifted settings logged.
    const kv = await openRegistry(nc, {
      bucket: TASKS_BUCKET,
      replicas: options.replicas,
      maxAgeMs: options.ttlMs + 60_000,
      logger: options.logger,
    });
    return new TaskStore(kv, options.logger);
  }

  /** 128 random bits: a task id nobody can guess. */
  static newTaskId(): string {
    return randomBytes(16).toString('base64url');
  }

  /**
   * Stores a new record, and the owner's index entry `o.<owner digest>.<taskId>` that 2025-11-25
   * `tasks/list` reads; resolves once JetStream holds both.
   */
  async create(record: TaskRecord): Promise<void> {
    await Promise.all([
      this.#kv.create(taskRecordKey(record.taskId), JSON.stringify(record)),
      this.#kv.put(`o.${ownerToken(record.owner)}.${record.taskId}`, ''),
    ]);
  }

  /**
   * The outcome of a task a gateway ran itself (a fan-out), where a node would write its state; a
   * large one (a batch of images) in chunks, as a node stores it.
   */
  async writeRunnerState(taskId: string, state: NodeTaskState, limit: number): Promise<void> {
    const { entry, chunks } = taskStateValues(state, limit);
    await Promise.all(
      chunks.map((chunk, index) => this.#kv.put(taskChunkKey(state.node, taskId, state.seq, index), chunk)),
    );
    await this.#kv.put(nodeTaskKey(state.node, taskId), entry);
  }

  /** A replica running tasks itself says it is alive (`gw.<gatewayId>`: the time). */
  async heartbeat(gatewayId: string): Promise<void> {
    await this.#kv.put(`gw.${gatewayId}`, String(Date.now()));
  }

  /** The revision of the replica's last heartbeat; undefined if none (or long ago: the key expired). */
  async heartbeatRevision(gatewayId: string): Promise<number | undefined> {
    const entry = await this.#kv.get(`gw.${gatewayId}`);
    return entry === null || entry.operation !== 'PUT' ? undefined : entry.revision;
  }

  /** The ids of the owner's tasks still in the bucket (expired ones included), sorted. */
  async ownedTaskIds(owner: string | null): Promise<string[]> {
    const prefix = `o.${ownerToken(owner)}.`;
    const ids: string[] = [];
    for await (const key of await this.#kv.keys(`${prefix}*`)) {
      const id = key.slice(prefix.length);
      if (isValidTaskId(id)) ids.push(id);
    }
    return ids.sort();
  }

  async read(taskId: string): Promise<StoredTask | undefined> {
    if (!isValidTaskId(taskId)) return undefined;
    const entry = await this.#kv.get(taskRecordKey(taskId));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    let record: TaskRecord;
    try {
      record = entry.json<TaskRecord>();
    } catch (error) {
      this.#logger.warn({ err: error, taskId }, 'unreadable task record');
      return undefined;
    }
    return {
      record,
      revision: entry.revision,
      node: await this.nodeState(record.nodeId, taskId, record.callId),
    };
  }

  /**
   * Every node's state of task `taskId` (a fan-out's chunk may have run on more than one node):
   * what a replica taking a fan-out over finds of the chunks another replica began.
   */
  async statesOf(taskId: string): Promise<NodeTaskState[]> {
    if (!isValidTaskId(taskId)) return [];
    const nodes: string[] = [];
    for await (const key of await this.#kv.keys(`n.*.${taskId}`)) nodes.push(key.split('.')[1]!);
    const states = await Promise.all(nodes.map((nodeId) => this.nodeState(nodeId, taskId, undefined)));
    return states.filter((state) => state !== undefined);
  }

  /**
   * Creates a fan-out task's journal header (`p.<taskId>`), or reads the one another run created
   * first; resolves with the header stored.
   */
  async createJournal(taskId: string, header: StoredJournalHeader): Promise<StoredJournalHeader> {
    try {
      await this.#kv.create(journalKey(taskId), JSON.stringify(header));
      return header;
    } catch (error) {
      const existing = await this.journal(taskId);
      if (existing === undefined) throw error;
      return existing;
    }
  }

  /** A fan-out task's journal header; undefined when none was written (no chunk ran). */
  async journal(taskId: string): Promise<StoredJournalHeader | undefined> {
    const entry = await this.#kv.get(journalKey(taskId));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const header = entry.json<Partial<StoredJournalHeader>>();
    if (typeof header.salt !== 'string' || typeof header.chunks !== 'number')
      throw new TypeError(`the journal of task ${taskId} is malformed`);
    return header as StoredJournalHeader;
  }

  /**
   * Applies `change` to the current record and stores the result if it is not undefined, again from
   * a fresh read when another replica changed it in between. Resolves with what is stored now.
   */
  async update(taskId: string, change: (task: StoredTask) => TaskRecord | undefined): Promise<StoredTask | undefined> {
    for (let attempt = 1; ; attempt++) {
      const task = await this.read(taskId);
      if (task === undefined) return undefined;
      const next = change(task);
      if (next === undefined) return task;
      try {
        const revision = await this.#kv.update(taskRecordKey(taskId), JSON.stringify(next), task.revision);
        return { record: next, revision, node: task.node };
      } catch (error) {
        if (attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Node `nodeId`'s latest state of the task, chunks joined; one of another call than `callId` (when
   * given), of another node, or not well formed is ignored.
   */
  async nodeState(nodeId: string, taskId: string, callId: string | undefined): Promise<NodeTaskState | undefined> {
    let entry;
    try {
      entry = await this.#kv.get(nodeTaskKey(nodeId, taskId));
    } catch (error) {
      this.#logger.warn({ err: error, taskId }, 'could not read a node task state');
      return undefined;
    }
    if (entry === null || entry.operation !== 'PUT') return undefined;
    let value: unknown;
    try {
      value = entry.json();
    } catch {
      value = undefined;
    }
    const state = decodeNodeTaskState(value);
    if (state === undefined || (callId !== undefined && state.callId !== callId) || state.node !== nodeId) {
      this.#logger.warn({ taskId, nodeId }, 'ignored a malformed node task state');
      return undefined;
    }
    const joined = await joinTaskState(state, taskId, async (key) => {
      const chunk = await this.#kv.get(key);
      return chunk === null || chunk.operation !== 'PUT' ? undefined : chunk.value;
    });
    // A chunked state still being written (or half expired) reads as the state before it: working.
    return joined ?? { ...state, chunks: undefined };
  }
}
