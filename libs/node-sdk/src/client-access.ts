import type { CallerClient } from '@easyremote/protocol';
import type { CallSession } from './call-session.js';
import { legacyClientSender } from './legacy-client.js';
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
  const send = legacyClientSender({
    nc: runtime.nc,
    subject: notifySubject,
    callId: session.callId,
    deadline,
    signal: session.controller.signal,
  });
  return { client, send };
}
