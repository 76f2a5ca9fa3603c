import { encodeJson, GATEWAY_CANCEL_SUBJECT, type Logger } from '@easyremote/protocol';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { type RequestId } from '@modelcontextprotocol/server';
import type { LiveCalls } from './call-context.js';

/**
 * 2025-era `notifications/cancelled` arrives as its own POST, possibly at another replica than the one
 * running the call. Every replica hears every cancellation (they are rare) and the one holding the
 * call aborts it; the router then tells the node (see ToolInvoker).
 */
export class Cancellation {
  readonly #nc: NatsConnection;
  readonly #live: LiveCalls;
  readonly #logger: Logger;
  #subscription: Subscription | undefined;

  constructor(nc: NatsConnection, live: LiveCalls, logger: Logger) {
    this.#nc = nc;
    this.#live = live;
    this.#logger = logger;
  }

  start(): void {
    this.#subscription = this.#nc.subscribe(GATEWAY_CANCEL_SUBJECT, {
      callback: (error, message) => {
        if (error) return;
        try {
          const { owner, requestId, reason } = JSON.parse(new TextDecoder().decode(message.data)) as {
            owner: string;
            requestId: RequestId;
            reason?: string;
          };
          this.#abortLocal(owner, requestId, reason);
        } catch (cause) {
          this.#logger.warn({ err: cause }, 'malformed cancellation');
        }
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  /** Cancels the session's request wherever it runs. */
  cancel(owner: string, requestId: RequestId, reason: string | undefined): void {
    if (this.#abortLocal(owner, requestId, reason)) return;
    this.#nc.publish(GATEWAY_CANCEL_SUBJECT, encodeJson({ owner, requestId, reason }));
  }

  #abortLocal(owner: string, requestId: RequestId, reason: string | undefined): boolean {
    const call = this.#live.byRequest(owner, requestId);
    if (!call) return false;
    call.controller.abort(new Error(reason ?? 'cancelled by the client'));
    return true;
  }
}
