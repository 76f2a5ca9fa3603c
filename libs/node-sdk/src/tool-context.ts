import type { CallNotification, Logger } from '@easyremote/protocol';

/** MCP logging levels (RFC 5424 severities), lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a handler gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the call's deadline passes, the caller cancels, or the node stops. */
  readonly signal: AbortSignal;
  readonly callId: string;
  /** Absolute deadline of the call, epoch milliseconds. */
  readonly deadline: number;
  /** The node running the call. */
  readonly nodeId: string;
  /** MCP request `_meta` forwarded by the caller (empty when none). */
  readonly meta: Readonly<Record<string, unknown>>;
  /** Reports progress to the caller, when it asked for notifications. Never throws. */
  progress(progress: number, total?: number, message?: string): void;
  /** Sends a log message to the caller, when it asked for notifications. Never throws. */
  log(level: LogLevel, data: unknown, logger?: string): void;
}

/** Where a call's notifications go; undefined when the caller did not ask for them. */
export type NotificationSink = (notification: CallNotification) => void;

export interface CallContextInit {
  signal: AbortSignal;
  callId: string;
  deadline: number;
  nodeId: string;
  tool: string;
  meta: Readonly<Record<string, unknown>> | undefined;
  logger: Logger;
  notify: NotificationSink | undefined;
}

const EMPTY_META: Readonly<Record<string, unknown>> = Object.freeze({});

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
  readonly #tool: string;
  readonly #logger: Logger;
  readonly #notify: NotificationSink | undefined;
  #closed = false;

  constructor(init: CallContextInit) {
    this.signal = init.signal;
    this.callId = init.callId;
    this.deadline = init.deadline;
    this.nodeId = init.nodeId;
    this.meta = init.meta ?? EMPTY_META;
    this.#tool = init.tool;
    this.#logger = init.logger;
    this.#notify = init.notify;
  }

  /** After the reply is sent, notifications from a handler that ignored its signal are dropped. */
  close(): void {
    this.#closed = true;
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

  #send(notification: CallNotification): void {
    if (this.#closed) return;
    this.#logger.debug({ callId: this.callId, tool: this.#tool, notification }, 'tool notification');
    if (this.#notify === undefined) return;
    try {
      this.#notify(notification);
    } catch (error) {
      // Notifications are best effort: a full buffer or a closed connection must not fail the call.
      this.#logger.debug({ callId: this.callId, err: error }, 'dropped a tool notification');
    }
  }
}
