/** NATS header names used on call requests and replies. */
export const Headers = {
  /** Absolute deadline of the call, epoch milliseconds. The node aborts the handler when it passes. */
  deadline: 'Er-Deadline',
  /** Unique id of one call; the same id names it in logs, cancellation and audit. */
  callId: 'Er-Call-Id',
  /** Mesh wire protocol version of the sender. */
  version: 'Er-Version',
  /**
   * Subject the node publishes the call's progress and log notifications to (set by the caller when it
   * wants them relayed). Each message is a JSON `CallNotification`.
   */
  notify: 'Er-Notify',
  /** On replies: the id of the node that ran the call. */
  nodeId: 'Er-Node-Id',
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
