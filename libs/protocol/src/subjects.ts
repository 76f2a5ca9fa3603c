import { isValidNodeId, toolNameToToken } from './tool-name.js';

/**
 * The subject and KV map of the mesh. Everything that names a subject, queue group, bucket or key
 * lives here, so docs/architecture.md and the NATS permission files can be checked against one place.
 */
export const Subjects = {
  /** Prefix of every tool subject: `tools.<token>` (see toolNameToToken). */
  toolPrefix: 'tools',
  /** Prefix of every node's own subjects: `nodes.<nodeId>.call|rpc|resume`. */
  nodePrefix: 'nodes',
  /** Prefix of every gateway replica's own subjects: `gateways.<gatewayId>.notify|responses`. */
  gatewayPrefix: 'gateways',
} as const;

/**
 * Broadcast to every node (no queue group): `{ callId, reason? }` aborts the handler running that
 * call, wherever it runs. The caller does not know which queue member took the call, so it asks all.
 */
export const CANCEL_SUBJECT = 'calls.cancel';

/**
 * Broadcast to every gateway replica: a client's `notifications/cancelled` may reach a replica that
 * is not running the call; the replica that is aborts it. Body: `{ owner, requestId }`.
 */
export const GATEWAY_CANCEL_SUBJECT = 'gateways.cancel';

/** Broadcast by nodes when a resource they serve changed: `{ uri }`. */
export const RESOURCE_UPDATED_SUBJECT = 'events.resource-updated';

/** JetStream object store holding uploaded data sets (`easyremote://data/<id>`). */
export const DATA_BUCKET = 'easyremote-data';

/**
 * JetStream object store for message bodies over NATS max_payload (large arguments and results),
 * named by the `Er-Payload` header. Short-lived: the receiver deletes what it read, a TTL the rest.
 */
export const PAYLOAD_BUCKET = 'easyremote-payloads';

/** Every node serving a tool subscribes in this queue group, so NATS spreads calls across them. */
export const TOOL_QUEUE_GROUP = 'easyremote-nodes';

/** The JetStream KV bucket that holds one advert per live node, keyed by node id. */
export const REGISTRY_BUCKET = 'easyremote-registry';

/**
 * The JetStream KV bucket of node entitlements, written only by operators (`easyremote grants`) and
 * gateways: `node.<nodeId>` holds the tool-name globs a node may serve, `tool.<name>` the approved
 * (pinned) descriptor of a tool (ADR 0011).
 */
export const GRANTS_BUCKET = 'easyremote-grants';

export function toolSubject(toolName: string): string {
  return `${Subjects.toolPrefix}.${toolNameToToken(toolName)}`;
}

export function nodeCallSubject(nodeId: string): string {
  if (!isValidNodeId(nodeId)) throw new TypeError(`invalid node id ${JSON.stringify(nodeId)}`);
  return `${Subjects.nodePrefix}.${nodeId}.call`;
}

export function registryKey(nodeId: string): string {
  if (!isValidNodeId(nodeId)) throw new TypeError(`invalid node id ${JSON.stringify(nodeId)}`);
  return nodeId;
}

/** A node's targeted subject for non-tool operations (resources/read, prompts/get, completion/complete). */
export function nodeRpcSubject(nodeId: string): string {
  if (!isValidNodeId(nodeId)) throw new TypeError(`invalid node id ${JSON.stringify(nodeId)}`);
  return `${Subjects.nodePrefix}.${nodeId}.rpc`;
}

/** Where a 2026-era retry (`inputResponses`) resumes a call parked on that node. */
export function nodeResumeSubject(nodeId: string): string {
  if (!isValidNodeId(nodeId)) throw new TypeError(`invalid node id ${JSON.stringify(nodeId)}`);
  return `${Subjects.nodePrefix}.${nodeId}.resume`;
}

/** Gateway ids are generated (random, subject-safe); checked like node ids. */
export function gatewayNotifySubject(gatewayId: string): string {
  if (!isValidNodeId(gatewayId)) throw new TypeError(`invalid gateway id ${JSON.stringify(gatewayId)}`);
  return `${Subjects.gatewayPrefix}.${gatewayId}.notify`;
}

/** Where other replicas forward a client's JSON-RPC response to a request this replica sent. */
export function gatewayResponseSubject(gatewayId: string): string {
  if (!isValidNodeId(gatewayId)) throw new TypeError(`invalid gateway id ${JSON.stringify(gatewayId)}`);
  return `${Subjects.gatewayPrefix}.${gatewayId}.responses`;
}

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
