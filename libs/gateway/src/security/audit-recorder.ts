import { argumentsDigest, type AuditLog } from '@easyremote/auth';
import type { CallEvents } from '../pipeline/call-events.js';

/**
 * Writes every finished tool call announced on CallEvents to the audit stream: time, principal, tool,
 * node, duration, outcome and a SHA-256 of the arguments — never the arguments themselves. A durable
 * observer: the caller gets the answer only after JetStream acknowledged the record (ADR 0014). The
 * AuditLog batches by group commit, so concurrent calls share acknowledged messages.
 */
export function startAuditRecorder(callEvents: CallEvents, audit: AuditLog): () => void {
  // A lost batch is logged once by the AuditLog's onLost (gateway-security.ts), and every call in
  // it fails with GW_ERR_AUDIT_FAILED; the record's promise is the batch's, shared, not wrapped per call.
  return callEvents.subscribeDurable((event) =>
    audit.record({
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
    }),
  );
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
