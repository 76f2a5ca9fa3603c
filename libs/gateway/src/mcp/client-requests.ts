import { encodeJson, gatewayResponseSubject, type ClientReply, type Logger } from '@easyremote/protocol';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { LiveCall } from './call-context.js';

interface Pending {
  callId: string;
  resolve: (reply: ClientReply) => void;
  timer: NodeJS.Timeout;
}

const ID_PREFIX = 'er';

/**
 * Requests a node's handler sends to a 2025-era client (elicitation, sampling, roots) ride on the
 * call's SSE stream. The client's answer is a separate POST that the load balancer may send to any
 * replica, so the request id names the replica waiting for it (`er:<gatewayId>:<n>`): a replica that
 * receives an answer for another forwards it over NATS.
 */
export class ClientRequests {
  readonly #nc: NatsConnection;
  readonly #gatewayId: string;
  readonly #logger: Logger;
  readonly #pending = new Map<string, Pending>();
  #counter = 0;
  #subscription: Subscription | undefined;

  constructor(nc: NatsConnection, gatewayId: string, logger: Logger) {
    this.#nc = nc;
    this.#gatewayId = gatewayId;
    this.#logger = logger;
  }

  start(): void {
    this.#subscription = this.#nc.subscribe(gatewayResponseSubject(this.#gatewayId), {
      callback: (error, message) => {
        if (error) return;
        try {
          this.#settle(JSON.parse(new TextDecoder().decode(message.data)) as Record<string, unknown>);
        } catch (cause) {
          this.#logger.warn({ err: cause }, 'malformed forwarded client response');
        }
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
    for (const [id, pending] of this.#pending)
      this.#finish(id, pending, { ok: false, error: { code: 'GW_ERR_UNAVAILABLE', message: 'gateway shutting down' } });
  }

  /** Sends `method` to the client on the call's stream; resolves with the client's answer. */
  ask(call: LiveCall, method: string, params: Record<string, unknown>, timeoutMs: number): Promise<ClientReply> {
    const id = `${ID_PREFIX}:${this.#gatewayId}:${++this.#counter}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const pending = this.#pending.get(id);
        if (pending)
          this.#finish(id, pending, {
            ok: false,
            error: { code: 'GW_ERR_TIMEOUT', message: `the client did not answer ${method} in time` },
          });
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { callId: call.callId, resolve, timer });
      call.channel.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** A JSON-RPC response a client POSTed to this replica: settle it here or forward it to its owner. */
  deliver(message: Record<string, unknown>): void {
    const owner = ownerOf(message.id);
    if (owner === undefined) return;
    if (owner === this.#gatewayId) this.#settle(message);
    else this.#nc.publish(gatewayResponseSubject(owner), encodeJson(message));
  }

  /** Fails everything still waiting for a call that ended. */
  abandon(callId: string): void {
    for (const [id, pending] of this.#pending) {
      if (pending.callId === callId)
        this.#finish(id, pending, { ok: false, error: { code: 'GW_ERR_CANCELLED', message: 'the call ended' } });
    }
  }

  #settle(message: Record<string, unknown>): void {
    const id = typeof message.id === 'string' ? message.id : undefined;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (!id || !pending) return;
    const error = message.error as { code?: unknown; message?: unknown } | undefined;
    if (error) {
      this.#finish(id, pending, {
        ok: false,
        error: {
          code: `CLIENT_ERR_${String(error.code ?? 'UNKNOWN')}`,
          message: String(error.message ?? 'the client refused'),
        },
      });
    } else {
      const result = message.result;
      this.#finish(id, pending, {
        ok: true,
        result: typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {},
      });
    }
  }

  #finish(id: string, pending: Pending, reply: ClientReply): void {
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.resolve(reply);
  }
}

/** The gateway id inside one of our request ids, or undefined for anything else. */
export function ownerOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const [prefix, owner, counter] = id.split(':');
  return prefix === ID_PREFIX && owner && counter ? owner : undefined;
}
