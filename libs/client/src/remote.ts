import { connectMesh, invokeTool, PayloadStore, RpcClient } from '@easyremote/mesh';
import {
  CANCEL_SUBJECT,
  encodeJson,
  nodeCallSubject,
  toolSubject,
  type CallerIdentity,
  type Logger,
} from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { randomUUID } from 'node:crypto';
import { ClientErrorCode, RemoteToolError } from './errors.js';
import { toolValue } from './tool-value.js';
import {
  awaitRemoteTask,
  newTaskId,
  startedOrThrow,
  type AwaitRemoteTaskOptions,
  type RemoteTask,
} from './remote-tasks.js';

/** Far beyond any tool's timeout, which the node applies instead. */
const TASK_DEADLINE_MS = 365 * 24 * 3600 * 1000;

export interface RemoteCallOptions {
  /** Run on this node (its targeted subject) instead of any node serving the tool. */
  node?: string;
  /** Deadline for the call; the node aborts the handler when it passes. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Who the call is for (`ctx.caller` on the node); overrides the connection's `caller`. */
  caller?: CallerIdentity;
}

export interface ConnectRemoteOptions {
  /** NATS server(s) of the mesh. */
  servers: string | string[];
  /** Or an existing connection (not closed by close()). */
  connection?: NatsConnection;
  name?: string;
  logger?: Logger;
  defaultTimeoutMs?: number;
  /**
   * Who this program's calls are for: `{ principal, scopes }`, sent with every call as a gateway
   * sends the authenticated caller's. Without it, tools see no caller, which has no scopes: the
   * toolbox's data tool then reads no `easyremote://data/<id>`. A NATS client that may publish
   * calls is trusted to say this truthfully (nats/secure decides who may).
   */
  caller?: CallerIdentity;
}

/** A typed function that calls one tool over the mesh. */
export type RemoteFunction<Args, Result> = (args: Args, options?: RemoteCallOptions) => Promise<Result>;

/**
 * Direct calls of mesh tools from TypeScript, over NATS with no HTTP hop (the seed's
 * `remote("mcp-ai-tools", "distributed_llm_inference")`). The same wire envelope and error codes as
 * the gateway; results come back as the tool's structured content (or text).
 */
export class RemoteMesh implements AsyncDisposable {
  readonly #nc: NatsConnection;
  readonly #rpc: RpcClient;
  readonly #ownsConnection: boolean;
  readonly #defaultTimeoutMs: number;
  readonly #caller: CallerIdentity | undefined;

  private constructor(
    nc: NatsConnection,
    ownsConnection: boolean,
    defaultTimeoutMs: number,
    payloads: PayloadStore | undefined,
    caller: CallerIdentity | undefined,
  ) {
    this.#nc = nc;
    // With the payload store, arguments and results over NATS's max_payload travel through JetStream.
    this.#rpc = new RpcClient(nc, payloads ? { payloads } : {});
    this.#ownsConnection = ownsConnection;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#caller = caller;
  }

  static async connect(options: ConnectRemoteOptions): Promise<RemoteMesh> {
    const nc =
      options.connection ??
      (await connectMesh({
        servers: options.servers,
        name: options.name ?? 'easyremote-remote',
        ...(options.logger ? { logger: options.logger } : {}),
      }));
    // Without JetStream there is no payload store: calls still work, only bodies over 1 MiB fail.
    const payloads = await PayloadStore.open(nc).catch(() => undefined);
    return new RemoteMesh(
      nc,
      options.connection === undefined,
      options.defaultTimeoutMs ?? 30_000,
      payloads,
      options.caller,
    );
  }

  /** A function calling `tool`, typed by the caller: `mesh.remote<{ text: string }, { text: string }>('echo')`. */
  remote<Args extends Record<string, unknown>, Result = unknown>(
    tool: string,
    defaults: RemoteCallOptions = {},
  ): RemoteFunction<Args, Result> {
    return (args, options) => this.call<Result>(tool, args, { ...defaults, ...options });
  }

  async call<Result = unknown>(
    tool: string,
    args: Record<string, unknown>,
    options: RemoteCallOptions = {},
  ): Promise<Result> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    const subject = options.node ? nodeCallSubject(options.node) : toolSubject(tool);
    const caller = options.caller ?? this.#caller;
    const { response, nodeId } = await invokeTool(
      this.#rpc,
      subject,
      { tool, arguments: args, ...(caller ? { caller } : {}) },
      {
        timeoutMs: timeoutMs + 1_000,
        deadline: Date.now() + timeoutMs,
        callId: randomUUID(),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (!response.ok) throw new RemoteToolError(tool, response.error.code, response.error.message, response.error.data);
    if ('inputRequired' in response)
      throw new RemoteToolError(
        tool,
        ClientErrorCode.InputRequired,
        `tool ${tool} on ${nodeId ?? 'a node'} needs input from an interactive MCP client`,
      );
    if ('taskStarted' in response)
      throw new RemoteToolError(
        tool,
        ClientErrorCode.BadResult,
        `${nodeId ?? 'a node'} started a task nobody asked for`,
      );
    return toolValue<Result>(tool, response.result);
  }

  /**
   * Starts a tool that supports tasks as a durable task on a node (any serving node, or
   * `options.node`) and resolves once the node has started it; `awaitTask` reads its outcome. The
   * task runs within the tool's own timeout (`options.timeoutMs` is only how long to wait for the start).
   */
  async startTask(tool: string, args: Record<string, unknown>, options: RemoteCallOptions = {}): Promise<RemoteTask> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    const subject = options.node ? nodeCallSubject(options.node) : toolSubject(tool);
    const caller = options.caller ?? this.#caller;
    const taskId = newTaskId();
    const callId = randomUUID();
    const { response, nodeId } = await invokeTool(
      this.#rpc,
      subject,
      { tool, arguments: args, task: { id: taskId }, ...(caller ? { caller } : {}) },
      {
        timeoutMs: timeoutMs + 1_000,
        // No deadline of ours: the node bounds the task by the tool's own timeout.
        deadline: Date.now() + TASK_DEADLINE_MS,
        callId,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    return { tool, taskId, callId, nodeId: startedOrThrow(tool, response, nodeId) };
  }

  /** Asks the node running a task to abort it (`calls.cancel`); its state then says `NODE_ERR_CANCELLED`. */
  cancelTask(task: RemoteTask): void {
    this.#nc.publish(CANCEL_SUBJECT, encodeJson({ callId: task.callId, reason: 'task cancelled' }));
  }

  /** Waits for a task started with `startTask` to end: its value, or its failure thrown. */
  awaitTask<Result = unknown>(task: RemoteTask, options: AwaitRemoteTaskOptions = {}): Promise<Result> {
    return awaitRemoteTask<Result>(this.#nc, task, options);
  }

  async close(): Promise<void> {
    this.#rpc.close();
    if (this.#ownsConnection) await this.#nc.drain();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Connects to the mesh for direct calls: `const mesh = await connectRemote({ servers: 'nats://…' })`. */
export function connectRemote(options: ConnectRemoteOptions): Promise<RemoteMesh> {
  return RemoteMesh.connect(options);
}
