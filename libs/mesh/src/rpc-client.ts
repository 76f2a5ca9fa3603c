import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';
import { Headers, silentLogger, type Logger } from '@easyremote/protocol';
import { MeshError, MeshErrorCode } from './errors.js';
import { headerBytes } from './payload-size.js';
import type { PayloadStore } from './payload-store.js';

export interface RpcReply {
  readonly data: Uint8Array;
  /** A reply header's value, or undefined when the responder did not set it. */
  header(name: string): string | undefined;
}

export interface RpcRequestOptions {
  /** The call fails with MESH_ERR_TIMEOUT when no reply came this long after sending (± one sweep). */
  timeoutMs: number;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Tells this request's reply from a stray one (a second reply to the same subject, from a
   * duplicate responder). With it, the reply subject comes from a pool of inbox tokens that are
   * reused once their call got its accepted reply: nats-server caches the route of a subject it has
   * seen, and a fresh subject per call misses that cache on every reply (~1.5 µs of server CPU per
   * call measured at 64 concurrent calls). A reply it refuses is dropped; the call keeps waiting.
   */
  accept?: ((reply: RpcReply) => boolean) | undefined;
}

export interface RpcClientOptions {
  /** How often expired calls are failed; the timeout precision. Default 50 ms. */
  sweepIntervalMs?: number;
  /** Prefix of the reply inbox, for accounts whose permissions only allow replies under it. Default `_INBOX`. */
  inboxPrefix?: string;
  logger?: Logger;
  /**
   * Where bodies over the server's max_payload go (requests) and come from (replies with the
   * `Er-Payload` header). Without it such a request fails with MESH_ERR_PAYLOAD_TOO_LARGE.
   */
  payloads?: PayloadStore;
}

interface PendingCall {
  readonly subject: string;
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly resolve: (reply: RpcReply) => void;
  readonly reject: (error: MeshError) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** What to publish; dropped once sent. */
  data: Uint8Array | undefined;
  hdrs: MsgHdrs | undefined;
  readonly accept: ((reply: RpcReply) => boolean) | undefined;
  /** Its reply is being fetched from the payload store: the sweep leaves it alone. */
  fetching: boolean;
}

class Reply implements RpcReply {
  readonly data: Uint8Array;
  readonly #headers: MsgHdrs | undefined;

  constructor(msg: Msg, data: Uint8Array = msg.data) {
    this.data = data;
    this.#headers = msg.headers;
  }

  header(name: string): string | undefined {
    return this.#headers?.has(name) ? this.#headers.get(name) : undefined;
  }
}

const NO_RESPONDERS_STATUS = 503;
const EMPTY = new Uint8Array(0);

/**
 * Request/reply over one shared wildcard inbox. `nc.request()` creates a timer and a subscription
 * entry per call; here every call shares one subscription, one map of pending calls and one periodic
 * sweep that fails expired calls, which is markedly faster under concurrency.
 */
export class RpcClient {
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #subscription: Subscription;
  readonly #pending = new Map<string, PendingCall>();
  readonly #sweepTimer: NodeJS.Timeout;
  readonly #payloads: PayloadStore | undefined;
  /** Tokens of calls whose publish is held until the end of this event-loop turn (see #send). */
  #outbox: string[] = [];
  #flushScheduled = false;
  #counter = 0;
  /** Pooled tokens free for reuse (see RpcRequestOptions.accept): `_0`, `_1`, ... — never a base-36 counter token. */
  readonly #freeTokens: string[] = [];
  #pooledTokens = 0;
  #closed: MeshError | undefined;

  constructor(nc: NatsConnection, options: RpcClientOptions = {}) {
    this.#nc = nc;
    this.#logger = options.logger ?? silentLogger;
    this.#prefix = `${createInbox(options.inboxPrefix)}.`;
    this.#payloads = options.payloads;
    this.#subscription = nc.subscribe(`${this.#prefix}*`, { callback: (error, msg) => this.#onReply(error, msg) });
    this.#sweepTimer = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 50);
    this.#sweepTimer.unref();
    void nc.closed().then(() => this.#shutdown(new MeshError(MeshErrorCode.Closed, 'the NATS connection was closed')));
  }

  /** Calls waiting for a reply. */
  get pending(): number {
    return this.#pending.size;
  }

  request(subject: string, data: Uint8Array, options: RpcRequestOptions): Promise<RpcReply> {
    if (this.#closed) return Promise.reject(this.#closed);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelled(subject, signal.reason));

    let hdrs: MsgHdrs | undefined;
    try {
      for (const key in options.headers) {
        hdrs ??= natsHeaders();
        hdrs.set(key, options.headers[key] ?? '');
      }
    } catch (error) {
      return Promise.reject(publishError(subject, error));
    }
    const maxPayload = this.#nc.info?.max_payload;
    if (maxPayload !== undefined) {
      const hdrBytes = headerBytes(options.headers, data.length, maxPayload);
      if (data.length + hdrBytes > maxPayload) {
        if (this.#payloads !== undefined) return this.#requestOffloaded(this.#payloads, subject, data, options);
        return Promise.reject(
          new MeshError(
            MeshErrorCode.PayloadTooLarge,
            `request to ${subject} is ${data.length + hdrBytes} bytes (${data.length} payload + ${hdrBytes} headers), ` +
              `over the server's max_payload of ${maxPayload} bytes; send large data in chunks or through the object store`,
            { data: { size: data.length + hdrBytes, maxPayload } },
          ),
        );
      }
    }

    const { accept } = options;
    const token =
      accept === undefined
        ? (++this.#counter).toString(36)
        : (this.#freeTokens.pop() ?? `_${(this.#pooledTokens++).toString(36)}`);
    return new Promise<RpcReply>((resolve, reject) => {
      const call: PendingCall = {
        subject,
        timeoutMs: options.timeoutMs,
        deadline: Date.now() + options.timeoutMs,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        data,
        hdrs,
        accept,
        fetching: false,
      };
      this.#pending.set(token, call);
      if (signal) {
        call.onAbort = () => {
          // Dropping the entry is what makes a late reply disappear silently.
          if (this.#take(token)) reject(cancelled(subject, signal.reason));
        };
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      this.#send(token);
    });
  }

  /**
   * A lone call goes out at the end of the current microtask queue, so sequential latency is
   * untouched and calls made in the same synchronous run (a burst, Promise.all) leave with it in one
   * write instead of the first alone. While other calls are in flight, publishes wait for the end of
   * the event-loop turn (setImmediate) and go out together: nats.js coalesces publishes made in one
   * synchronous run into one socket write, so requests that arrived on many HTTP connections in the
   * same turn cost one write and one server read instead of one each. Measured: total CPU per
   * gateway call -35% at 64 concurrent clients (docs/performance.md).
   */
  #send(token: string): void {
    const lone = this.#pending.size <= 1 && this.#outbox.length === 0;
    this.#outbox.push(token);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    if (lone) queueMicrotask(this.#flush);
    else setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const batch = this.#outbox;
    this.#outbox = [];
    for (const token of batch) {
      // Cancelled, timed out or closed while waiting in the outbox: nothing to send.
      const call = this.#pending.get(token);
      if (call !== undefined) this.#publish(token, call);
    }
  };

  #publish(token: string, call: PendingCall): void {
    const { data, hdrs } = call;
    call.data = undefined;
    call.hdrs = undefined;
    try {
      this.#nc.publish(call.subject, data, { reply: this.#prefix + token, headers: hdrs });
    } catch (error) {
      if (this.#take(token)) call.reject(publishError(call.subject, error));
    }
  }

  /** A body over max_payload: stored in the payload object store, the message names it in `Er-Payload`. */
  async #requestOffloaded(
    payloads: PayloadStore,
    subject: string,
    data: Uint8Array,
    options: RpcRequestOptions,
  ): Promise<RpcReply> {
    const name = await payloads.put(data, `request to ${subject}`);
    const headers = { ...options.headers, [Headers.payload]: name, [Headers.payloadSize]: String(data.length) };
    try {
      return await this.request(subject, EMPTY, { ...options, headers });
    } catch (error) {
      // Nobody took it (no responders, timeout, cancel); a receiver that did has deleted it already.
      payloads.delete(name);
      throw error;
    }
  }

  /** Fails every pending call with MESH_ERR_CLOSED and stops listening. Idempotent. */
  close(): void {
    this.#shutdown(new MeshError(MeshErrorCode.Closed, 'the RPC client was closed'));
  }

  #shutdown(reason: MeshError): void {
    if (this.#closed) return;
    this.#closed = reason;
    clearInterval(this.#sweepTimer);
    try {
      this.#subscription.unsubscribe();
    } catch {
      // the connection is already closed, which unsubscribed everything
    }
    for (const token of [...this.#pending.keys()]) this.#take(token)?.reject(reason);
  }

  #take(token: string): PendingCall | undefined {
    const call = this.#pending.get(token);
    if (call === undefined) return undefined;
    this.#pending.delete(token);
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    return call;
  }

  #onReply(error: Error | null, msg: Msg): void {
    if (error) {
      // The inbox subscription itself failed (e.g. a permissions violation): no reply can ever arrive.
      this.#logger.error({ err: error }, 'RPC reply subscription failed');
      this.#shutdown(
        new MeshError(MeshErrorCode.Closed, `the RPC reply subscription failed: ${error.message}`, { cause: error }),
      );
      return;
    }
    const token = msg.subject.slice(this.#prefix.length);
    const call = this.#pending.get(token);
    if (call === undefined) return; // timed out, cancelled or closed: late replies are dropped
    const hdrs = msg.headers;
    if (hdrs !== undefined && hdrs.code === NO_RESPONDERS_STATUS && msg.data.length === 0) {
      this.#take(token);
      call.reject(new MeshError(MeshErrorCode.NoResponders, `no responders on ${call.subject}`));
      return;
    }
    const offloaded = hdrs?.has(Headers.payload) ? hdrs.get(Headers.payload) : '';
    if (offloaded === '') {
      this.#settle(token, call, new Reply(msg));
      return;
    }
    if (this.#payloads === undefined) {
      this.#take(token);
      call.reject(
        new MeshError(
          MeshErrorCode.PayloadStoreUnavailable,
          `the reply from ${call.subject} is in the payload store, and this client has none`,
        ),
      );
      return;
    }
    const size = Number(hdrs?.get(Headers.payloadSize));
    call.fetching = true;
    this.#payloads.take(offloaded, Number.isFinite(size) ? size : undefined, `reply from ${call.subject}`).then(
      (data) => {
        call.fetching = false;
        // Still waiting (not cancelled or closed meanwhile)?
        if (this.#pending.get(token) === call) this.#settle(token, call, new Reply(msg, data));
      },
      (error: unknown) => {
        if (this.#take(token) !== call) return;
        call.reject(
          error instanceof MeshError ? error : new MeshError(MeshErrorCode.PayloadStoreUnavailable, String(error)),
        );
      },
    );
  }

  /** Resolves the call with its reply, unless its `accept` refuses the reply (a stray one; the call keeps waiting). */
  #settle(token: string, call: PendingCall, reply: Reply): void {
    if (call.accept !== undefined) {
      let accepted: boolean;
      try {
        accepted = call.accept(reply);
      } catch {
        accepted = true; // the caller reports what is wrong with the reply itself
      }
      if (!accepted) return;
    }
    this.#take(token);
    // Answered and accepted: no other reply can belong to this use of a pooled token, so it can serve another call.
    if (call.accept !== undefined) this.#freeTokens.push(token);
    call.resolve(reply);
  }

  #sweep(): void {
    if (this.#pending.size === 0) return;
    const now = Date.now();
    for (const [token, call] of this.#pending) {
      if (call.deadline > now || call.fetching) continue;
      this.#take(token);
      call.reject(new MeshError(MeshErrorCode.Timeout, `no reply from ${call.subject} within ${call.timeoutMs} ms`));
    }
  }
}

function cancelled(subject: string, reason: unknown): MeshError {
  return new MeshError(MeshErrorCode.Cancelled, `request to ${subject} was cancelled`, { cause: reason });
}

function publishError(subject: string, error: unknown): MeshError {
  const name = (error as { name?: unknown }).name;
  if (name === 'ClosedConnectionError' || name === 'DrainingConnectionError') {
    return new MeshError(MeshErrorCode.Closed, `cannot send to ${subject}: the NATS connection is closed`, {
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new MeshError(MeshErrorCode.PublishFailed, `cannot send to ${subject}: ${detail}`, { cause: error });
}
