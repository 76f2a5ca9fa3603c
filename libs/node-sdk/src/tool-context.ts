import {
  resourceReadScopes,
  WireErrorCode,
  type CallerIdentity,
  type CallNotification,
  type InputRequest,
  type Logger,
} from '@easyremote/protocol';
import {
  unsupportedReason,
  type ClientInfo,
  type ClientMethod,
  asCreateMessageResult,
  asElicitResult,
  asListRootsResult,
} from './client-requests.js';
import type {
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  ListRootsResult,
} from './client-requests.js';
import { ToolError } from './errors.js';

/** MCP logging levels (RFC 5424 severities), lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Which chunk of a fan-out a handler runs (`ctx.chunk`); undefined for a whole call. */
export interface ChunkInfo {
  /** 0-based position; partial results merge in this order. */
  readonly index: number;
  readonly count: number;
  /** `array` split: index of this chunk's first item in the original array. */
  readonly offset?: number;
  /** `plan` split: the descriptor the plan returned for this chunk. */
  readonly data?: unknown;
}

/** What every handler (tool, resource read, prompt, completer) gets besides its input. */
export interface HandlerContext {
  /** Aborted when the call's deadline passes, the caller cancels, or the node stops. */
  readonly signal: AbortSignal;
  readonly callId: string;
  /** Absolute deadline of the call, epoch milliseconds. */
  readonly deadline: number;
  /** The node running the call. */
  readonly nodeId: string;
  /** MCP request `_meta` forwarded by the caller (empty when none), e.g. `progressToken`. */
  readonly meta: Readonly<Record<string, unknown>>;
  /**
   * On whose behalf the call runs: the principal the gateway authenticated and its scopes (`admin`
   * when the gateway runs without authentication). Undefined when the call carried none (an older
   * gateway, a `remote()` call that names no caller): such a caller has no scopes.
   */
  readonly caller: CallerIdentity | undefined;
  /**
   * Whether the caller's `resources:read` scopes cover `uri`, with the gateway's semantics
   * (`easyremote:` URIs compared in their canonical spelling). Check it before a handler reads a
   * resource that an argument names: `easyremote://data/<id>`. False without a caller.
   */
  mayRead(uri: string): boolean;
  /** Reports progress to the caller, when it asked for notifications. Never throws. */
  progress(progress: number, total?: number, message?: string): void;
  /** Sends a log message to the caller, when it asked for notifications. Never throws. */
  log(level: LogLevel, data: unknown, logger?: string): void;
}

export interface ClientRequestOptions {
  /**
   * The key a 2026-era client sees the request under (`inputRequests[key]`, answered in
   * `inputResponses[key]`); `input-<n>` by default. Unique among the call's unanswered requests.
   * 2025-era clients never see it.
   */
  key?: string;
}

/**
 * A tool handler's context: it can also ask the client for input. Each request fails with a
 * ToolError `NODE_ERR_CLIENT_REQUEST_FAILED` when the client did not declare the capability (or the
 * request cannot reach it), and with the client's own error code when the client refuses.
 */
export interface ToolContext extends HandlerContext {
  /** `elicitation/create`: asks the user to fill in a form (or open a URL). */
  elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult>;
  /** `sampling/createMessage`: asks the client's model for a completion. */
  sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult>;
  /** `roots/list`: the client's filesystem roots. */
  listRoots(options?: ClientRequestOptions): Promise<ListRootsResult>;
  /** Whether the client declared what this request needs, so asking can succeed (no request is sent). */
  clientSupports(method: ClientMethod, params?: Record<string, unknown>): boolean;
  /** Which chunk of a fan-out this call runs; undefined for a whole (unsplit) call. */
  readonly chunk: ChunkInfo | undefined;
  /** The durable task this call runs as (the client follows it with `tasks/get`); undefined for a plain call. */
  readonly task: TaskInfo | undefined;
  /**
   * For a tool defined with `task: { start: 'manually' }`: makes the call a task from here on (the
   * client is answered with the task, and everything after runs while it polls). Input asked for
   * before it is gathered synchronously (2026-07-28 `input_required`). A no-op for a plain call or
   * a task that has started.
   */
  startTask(): void;
}

export interface TaskInfo {
  readonly id: string;
  /** Whether the client has been answered with the task (always, unless the tool starts it manually). */
  readonly started: boolean;
}

/** How a call that may run as a task reaches its task (see CallSession). */
export interface TaskControl {
  readonly id: string;
  readonly started: boolean;
  start(): void;
}

/** Where a call's notifications go; undefined when the caller did not ask for them. */
export type NotificationSink = (notification: CallNotification) => void;

/** How a call reaches its client: who the client is, and how a request travels (era-specific). */
export interface ClientAccess {
  readonly client: ClientInfo | undefined;
  /** Sends one request and resolves with the client's bare result; `key` names it for 2026-era clients. */
  send(request: InputRequest, key: string | undefined): Promise<unknown>;
}

export interface CallContextInit {
  signal: AbortSignal;
  callId: string;
  deadline: number;
  nodeId: string;
  /** What runs, for the node's debug log: a tool name, `resources/read`, ... */
  operation: string;
  meta: Readonly<Record<string, unknown>> | undefined;
  logger: Logger;
  notify: NotificationSink | undefined;
  /** Absent for work that cannot ask the client anything (resource reads, prompts, completions). */
  client?: ClientAccess | undefined;
  /** Set on the chunk calls of a fan-out. */
  chunk?: ChunkInfo | undefined;
  /** Set when the call runs as a durable task. */
  task?: TaskControl | undefined;
  /** Who the call is for (`CallRequest.caller`); undefined: nobody said. */
  caller?: CallerIdentity | undefined;
}

const EMPTY_META: Readonly<Record<string, unknown>> = Object.freeze({});
const ignore = (): void => {};

/**
 * A class rather than a closure-built object: the methods live once on the prototype, so making a
 * context costs one allocation on the node's hot path.
 */
export class CallContext implements ToolContext {
  readonly signal: AbortSignal;
  readonly callId: string;
  readonly deadline: number;
  readonly nodeId: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly chunk: ChunkInfo | undefined;
  readonly caller: CallerIdentity | undefined;
  readonly #operation: string;
  readonly #logger: Logger;
  readonly #notify: NotificationSink | undefined;
  readonly #client: ClientAccess | undefined;
  readonly #task: TaskControl | undefined;
  #closed = false;

  constructor(init: CallContextInit) {
    this.signal = init.signal;
    this.callId = init.callId;
    this.deadline = init.deadline;
    this.nodeId = init.nodeId;
    this.meta = init.meta ?? EMPTY_META;
    this.chunk = init.chunk;
    this.caller = init.caller;
    this.#operation = init.operation;
    this.#logger = init.logger;
    this.#notify = init.notify;
    this.#client = init.client;
    this.#task = init.task;
  }

  get task(): TaskInfo | undefined {
    const task = this.#task;
    return task === undefined ? undefined : { id: task.id, started: task.started };
  }

  startTask(): void {
    if (!this.#closed) this.#task?.start();
  }

  /** After the reply is sent, notifications and requests from a handler that ignored its signal are dropped. */
  close(): void {
    this.#closed = true;
  }

  mayRead(uri: string): boolean {
    return this.caller !== undefined && typeof uri === 'string' && resourceReadScopes(this.caller.scopes).mayRead(uri);
  }

  progress(progress: number, total?: number, message?: string): void {
    if (typeof progress !== 'number' || !Number.isFinite(progress)) return;
    const notification: CallNotification = { kind: 'progress', progress };
    if (typeof total === 'number' && Number.isFinite(total)) notification.total = total;
    if (typeof message === 'string') notification.message = message;
    this.#send(notification);
  }

  log(level: LogLevel, data: unknown, logger?: string): void {
    if (!LOG_LEVELS.includes(level)) return;
    const notification: CallNotification = { kind: 'log', level, data };
    if (typeof logger === 'string') notification.logger = logger;
    this.#send(notification);
  }

  elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult> {
    return handled(this.#ask('elicitation/create', params, options).then(asElicitResult));
  }

  sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult> {
    return handled(this.#ask('sampling/createMessage', params, options).then(asCreateMessageResult));
  }

  listRoots(options?: ClientRequestOptions): Promise<ListRootsResult> {
    return handled(this.#ask('roots/list', {}, options).then(asListRootsResult));
  }

  clientSupports(method: ClientMethod, params: Record<string, unknown> = {}): boolean {
    return this.#client !== undefined && unsupportedReason(this.#client.client, method, params) === undefined;
  }

  async #ask(
    method: ClientMethod,
    params: Record<string, unknown>,
    options: ClientRequestOptions | undefined,
  ): Promise<unknown> {
    if (typeof params !== 'object' || params === null) throw new TypeError(`${method} needs a params object`);
    if (this.#closed)
      throw new ToolError(
        WireErrorCode.ClientRequestFailed,
        `the call has ended, so ${method} cannot reach the client`,
      );
    if (this.#client === undefined)
      throw new ToolError(WireErrorCode.ClientRequestFailed, `${this.#operation} cannot send ${method} to the client`);
    const problem = unsupportedReason(this.#client.client, method, params);
    if (problem !== undefined) throw new ToolError(WireErrorCode.ClientRequestFailed, problem);
    this.signal.throwIfAborted();
    this.#logger.debug({ callId: this.callId, operation: this.#operation, method }, 'asking the client');
    const key = options?.key;
    if (key !== undefined && (typeof key !== 'string' || key === ''))
      throw new TypeError('options.key must be a non-empty string');
    return this.#client.send({ method, params }, key);
  }

  #send(notification: CallNotification): void {
    if (this.#closed) return;
    this.#logger.debug({ callId: this.callId, operation: this.#operation, notification }, 'handler notification');
    if (this.#notify === undefined) return;
    try {
      this.#notify(notification);
    } catch (error) {
      // Notifications are best effort: a full buffer or a closed connection must not fail the call.
      this.#logger.debug({ callId: this.callId, err: error }, 'dropped a handler notification');
    }
  }
}

/**
 * Marks the promise as handled: a handler that fires a request and abandons it (or finishes before
 * its answer) must not crash the node with an unhandled rejection. Awaiting it still throws.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}
