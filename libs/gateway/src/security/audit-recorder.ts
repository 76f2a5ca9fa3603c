import { argumentsDigest, type AuditLog } from '@easyremote/auth';
import type { Logger } from '@easyremote/protocol';
import type { CallEvents } from '../pipeline/call-events.js';

/**
 * Writes every finished tool call announced on CallEvents to the audit stream: time, principal, tool,
 * node, duration, outcome and a SHA-256 of the arguments — never the arguments themselves. A durable
 * observer: the caller gets the answer only after JetStream acknowledged the record (ADR 0014). The
 * AuditLog batches by group commit, so concurrent calls share acknowledged messages.
 */
export function startAuditRecorder(callEvents: CallEvents, audit: AuditLog, logger: Logger): () => void {
  return callEvents.subscribeDurable((event) => {
    // The batch's shared promise goes back to the pipeline (which fails the call, GW_ERR_AUDIT_FAILED,
    // when it rejects); a lost record is also logged here, with the call it belonged to.
    const recorded = audit.record({
      time: isoTime(event.startedAt),
      callId: event.callId,
      principal: event.principal,
      tool: event.tool,
      nodeId: event.nodeId,
      via: event.via,
      durationMs: event.durationMs,
      outcome: event.outcome,
      errorCode: event.errorCode,
      argumentsSha256: argumentsDigest(event.arguments),
      chunks: event.chunks === undefined || event.chunks.length === 0 ? undefined : [...event.chunks],
    });
    recorded.catch((error: unknown) =>
      logger.error({ err: error, callId: event.callId, tool: event.tool }, 'audit record could not be written'),
    );
    return recorded;
  });
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, with the part up to the second reused while the second lasts:
 * toISOString cost ~0.5 µs per call, on every call the gateway serves.
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years outside 0000-9999 have a longer form: no shortcut for them.
    if (iso.length !== 24) return new Date(ms).toISOString();
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${Math.floor(millis)}Z`;
}
