import {
  type CallerClient,
  type ClientRequest,
  decodeClientReply,
  encodeJson,
  Headers,
  type InputRequest,
  WireErrorCode,
} from '@easyremote/protocol';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import type { CallSession } from './call-session.js';
import { ToolError } from './errors.js';
import type { NodeRuntime } from './node-runtime.js';
import type { ClientAccess } from './tool-context.js';

/**
 * The era decides how a handler's request reaches the client: 2025 clients get it on the request's
 * stream (a NATS request to `Er-Notify`, answered by the gateway); 2026 clients get `inputRequired`
 * as the answer to the current leg and send the results back with a retry (a resume).
 */
export function clientAccess(
  runtime: NodeRuntime,
  client: CallerClient | undefined,
  session: CallSession,
  notifySubject: string | undefined,
  deadline: number,
): ClientAccess {
  if (client?.era === '2026-07-28') return { client, send: (input, key) => session.requestInput(input, key) };
  const legacy = legacyClientSender({
    nc: runtime.nc,
    subject: notifySubject,
    callId: session.callId,
    deadline,
    signal: session.controller.signal,
  });
  // A running task has no request stream to ride on: its input requests are the task's state, which
  // the client reads (2025-11-25 tasks/result relays them) from whichever replica it asks.
  return {
    client,
    send: (input, key) => (session.task?.started === true ? session.requestInput(input, key) : legacy(input)),
  };
}

export interface LegacyClientOptions {
  nc: NatsConnection;
  /** The call's `Er-Notify` subject: the gateway replica holding the client's stream answers there. */
  subject: string | undefined;
  callId: string;
  deadline: number;
  signal: AbortSignal;
}

function failed(message: string, cause?: unknown): ToolError {
  const error = new ToolError(WireErrorCode.ClientRequestFailed, message);
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause });
  return error;
}

/**
 * Sends a request to a 2025-era client: a NATS request to the call's `Er-Notify` subject; the gateway
 * relays it on the client's stream and answers with a `ClientReply` once the client responded, on
 * whichever replica. It may take as long as the call has left (a user filling in a form).
 */
export function legacyClientSender(options: LegacyClientOptions): (request: InputRequest) => Promise<unknown> {
  const { nc, subject, callId, deadline, signal } = options;
  return async (request) => {
    if (subject === undefined)
      throw failed(`the call carries no notify subject, so ${request.method} cannot reach the client`);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw failed(`no time is left before the call's deadline to send ${request.method}`);
    const h = natsHeaders();
    h.set(Headers.callId, callId);
    // The gateway waits for the client's answer until the call's deadline, not a default of its own.
    h.set(Headers.deadline, String(deadline));
    const body: ClientRequest = { kind: 'request', method: request.method, params: request.params };
    const reply = await abortable(
      nc.request(subject, encodeJson(body), { timeout: remaining, headers: h }),
      signal,
    ).catch((error: unknown) => {
      if (signal.aborted) throw signal.reason;
      throw failed(`the client did not answer ${request.method}: ${(error as Error).message}`, error);
    });
    let decoded;
    try {
      decoded = decodeClientReply(reply.data);
    } catch (error) {
      throw failed(`the answer to ${request.method} is malformed: ${(error as Error).message}`, error);
    }
    if (!decoded.ok) throw new ToolError(decoded.error.code, decoded.error.message, decoded.error.data);
    return decoded.result;
  };
}

/** nc.request takes no signal: a cancelled call stops waiting at once (a late answer is dropped). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
