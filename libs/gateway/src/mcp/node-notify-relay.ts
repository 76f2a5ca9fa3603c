import {
  decodeCallNotification,
  decodeClientRequest,
  encodeJson,
  Headers,
  type Logger,
  type McpEra,
} from '@easyremote/protocol';
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import type { ClientRequests } from './client-requests.js';
import type { LiveCalls } from './call-context.js';
import { logLevelAllows } from './log-levels.js';

/** 2025 clients get every log line until they set a level; a 2026 request asks for logs per request. */
function wantsLogs(era: McpEra, level: string | undefined): boolean {
  return era === '2025-11-25' || level !== undefined;
}

/**
 * The one subscription through which every node running a call for this replica reports back:
 * progress and log lines become notifications on the call's stream; requests to the client
 * (elicitation, sampling, roots) are relayed and answered.
 */
export function startNotifyRelay(
  nc: NatsConnection,
  subject: string,
  deps: { live: LiveCalls; clientRequests: ClientRequests; logger: Logger },
): Subscription {
  const { live, clientRequests, logger } = deps;
  const refuse = (message: Msg, code: string, text: string) => {
    if (message.reply) message.respond(encodeJson({ ok: false, error: { code, message: text } }));
  };
  return nc.subscribe(subject, {
    callback: (error, message) => {
      if (error) return;
      const callId = message.headers?.get(Headers.callId) ?? '';
      const call = live.get(callId);
      if (!call) return refuse(message, 'GW_ERR_CANCELLED', 'the call is no longer running on this gateway');
      try {
        if (message.reply) {
          const request = decodeClientRequest(message.data);
          if (call.era !== '2025-11-25')
            return refuse(
              message,
              'NODE_ERR_CLIENT_REQUEST_FAILED',
              'a 2026-07-28 client takes input through input_required results',
            );
          const remaining = Math.max(1_000, Number(message.headers?.get(Headers.deadline) ?? 0) - Date.now());
          void clientRequests
            .ask(call, request.method, request.params, Number.isFinite(remaining) ? remaining : 60_000)
            .then((reply) => message.respond(encodeJson(reply)));
          return;
        }
        const notification = decodeCallNotification(message.data);
        if (notification.kind === 'progress') {
          if (call.progressToken === undefined) return;
          const params: Record<string, unknown> = {
            progressToken: call.progressToken,
            progress: notification.progress,
          };
          if (notification.total !== undefined) params.total = notification.total;
          if (notification.message !== undefined) params.message = notification.message;
          call.channel.send({ jsonrpc: '2.0', method: 'notifications/progress', params });
        } else if (
          notification.kind === 'log' &&
          wantsLogs(call.era, call.logLevel) &&
          logLevelAllows(call.logLevel, notification.level)
        ) {
          const params: Record<string, unknown> = { level: notification.level, data: notification.data };
          if (notification.logger !== undefined) params.logger = notification.logger;
          call.channel.send({ jsonrpc: '2.0', method: 'notifications/message', params });
        }
      } catch (cause) {
        logger.warn({ err: cause, callId }, 'malformed notification from node');
        refuse(message, 'PROTO_ERR_MALFORMED_MESSAGE', 'malformed client request');
      }
    },
  });
}
