import { isValidNodeId, isValidToolName, type ToolDescriptor } from '@easyremote/protocol';
import { descriptorDigest } from './descriptor-digest.js';
import { isValidToolGlob } from './tool-glob.js';

/**
 * How a gateway treats a node without a grant: `open` (the default on a mesh without NATS
 * credentials) lets it serve any tool no grant names; `required` lets it serve nothing.
 */
export type GrantMode = 'open' | 'required';

/** `node.<nodeId>` in the grants bucket: the tool-name globs one node may serve. Written by operators. */
export interface NodeGrant {
  nodeId: string;
  tools: string[];
  updatedAt: string;
}

/** Who made a descriptor the approved one. */
export type PinSource = 'first-seen' | 'succession' | 'operator';

/**
 * `tool.<name>` in the grants bucket: the approved descriptor of one tool. Gateways write the first
 * one they see (create: one wins mesh-wide) and its successor once no node serves it any more;
 * operators replace it with `easyremote grants approve`.
 */
export interface ToolPin {
  tool: string;
  digest: string;
  descriptor: ToolDescriptor;
  /** The node whose advert supplied the descriptor. */
  nodeId: string;
  by: PinSource;
  pinnedAt: string;
}

const NODE_PREFIX = 'node.';
const TOOL_PREFIX = 'tool.';

export function grantKey(nodeId: string): string {
  if (!isValidNodeId(nodeId)) throw new TypeError(`invalid node id ${JSON.stringify(nodeId)}`);
  return `${NODE_PREFIX}${nodeId}`;
}

export function pinKey(tool: string): string {
  if (!isValidToolName(tool)) throw new TypeError(`invalid tool name ${JSON.stringify(tool)}`);
  return `${TOOL_PREFIX}${tool}`;
}

/** What a key of the grants bucket names, or undefined for a key this version does not know. */
export function parseGrantsKey(
  key: string,
): { kind: 'grant'; nodeId: string } | { kind: 'pin'; tool: string } | undefined {
  if (key.startsWith(NODE_PREFIX)) {
    const nodeId = key.slice(NODE_PREFIX.length);
    return isValidNodeId(nodeId) ? { kind: 'grant', nodeId } : undefined;
  }
  if (key.startsWith(TOOL_PREFIX)) {
    const tool = key.slice(TOOL_PREFIX.length);
    return isValidToolName(tool) ? { kind: 'pin', tool } : undefined;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The grant stored under `node.<nodeId>`, or undefined when the value is not a well-formed grant for it. */
export function decodeGrant(nodeId: string, value: unknown): NodeGrant | undefined {
  if (!isObject(value) || value.nodeId !== nodeId || !Array.isArray(value.tools)) return undefined;
  const tools = value.tools;
  if (!tools.every((glob): glob is string => typeof glob === 'string' && isValidToolGlob(glob))) return undefined;
  return { nodeId, tools: [...tools], updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : '' };
}

/**
 * The pin stored under `tool.<name>`, or undefined when the value is not a well-formed pin for it or
 * its digest does not match its descriptor (the digest is recomputed, never trusted).
 */
export function decodePin(tool: string, value: unknown): ToolPin | undefined {
  if (!isObject(value) || value.tool !== tool || typeof value.digest !== 'string' || !isObject(value.descriptor))
    return undefined;
  if (value.descriptor.name !== tool || typeof value.nodeId !== 'string') return undefined;
  if (descriptorDigest(value.descriptor as unknown as ToolDescriptor) !== value.digest) return undefined;
  const by = value.by === 'operator' || value.by === 'succession' ? value.by : 'first-seen';
  return {
    tool,
    digest: value.digest,
    descriptor: value.descriptor as unknown as ToolDescriptor,
    nodeId: value.nodeId,
    by,
    pinnedAt: typeof value.pinnedAt === 'string' ? value.pinnedAt : '',
  };
}
