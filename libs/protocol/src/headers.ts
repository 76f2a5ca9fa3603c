/**
 * NATS header names. Calls and their replies carry none of their own (the call format is in the
 * body, envelope.ts); these are the node's headers on what it sends to a call's notify subject, the
 * payload store's, and trace context.
 */
export const Headers = {
  /** On a node's 2025-era client request: the call's absolute deadline, epoch milliseconds. */
  deadline: 'Er-Deadline',
  /** On a node's notifications and client requests: the call they belong to. */
  callId: 'Er-Call-Id',
  /** Mesh protocol version of the sender; optional (the body's `v` is the version), checked when present. */
  version: 'Er-Version',
  /**
   * The body was too large for one NATS message and waits in the payload object store under this
   * name (`easyremote-payloads`); the message's own body is empty. The receiver fetches it.
   */
  payload: 'Er-Payload',
  /** Size in bytes of the offloaded body, so a receiver can refuse it before fetching. */
  payloadSize: 'Er-Payload-Size',
  /** W3C trace context. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
