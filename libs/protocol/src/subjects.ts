import { isValidNodeId, toolNameToToken } from './tool-name.js';

/**
 * The subject and KV map of the mesh. Everything that names a subject, queue group, bucket or key
 * lives here, so docs/architecture.md and the NATS permission files can be checked against one place.
 */
export const Subjects = {
  /** Prefix of every tool subject: `tools.<token>` (see toolNameToToken). */
  toolPrefix: 'tools',
  /** Prefix of every node's targeted subject: `nodes.<nodeId>.call`. */
  nodePrefix: 'nodes',
} as const;

/** Every node serving a tool subscribes in this queue group, so NATS spreads calls across them. */
export const TOOL_QUEUE_GROUP = 'easyremote-nodes';

/** The JetStream KV bucket that holds one advert per live node, keyed by node id. */
export const REGISTRY_BUCKET = 'easyremote-registry';

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
