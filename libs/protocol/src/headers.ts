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
  /** W3C trace context. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
