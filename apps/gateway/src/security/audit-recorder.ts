import { argumentsDigest, type AuditLog } from '@easyremote/auth';
import type { Logger } from '@easyremote/protocol';
import type { CallEvents } from '../routing/call-events.js';

/**
 * Writes every finished tool call announced on CallEvents to the audit stream: time, principal, tool,
 * node, duration, outcome and a SHA-256 of the arguments — never the arguments themselves. Records are
 * batched by the AuditLog (one acknowledged message per tool per 50 ms); a lost batch is logged.
 */
export function startAuditRecorder(callEvents: CallEvents, audit: AuditLog, logger: Logger): () => void {
  return callEvents.subscribe((event) => {
    audit
      .record({
        time: new Date(event.startedAt).toISOString(),
        callId: event.callId,
        principal: event.principal,
        tool: event.tool,
        nodeId: event.nodeId,
        via: event.via,
        durationMs: event.durationMs,
        outcome: event.outcome,
        errorCode: event.errorCode,
        argumentsSha256: argumentsDigest(event.arguments),
      })
      .catch((error: unknown) => logger.error({ err: error, callId: event.callId, tool: event.tool }, 'audit record could not be written'));
  });
}
