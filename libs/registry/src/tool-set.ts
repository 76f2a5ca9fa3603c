import type { NodeAdvert, ToolDescriptor } from '@easyremote/protocol';

/** A live node as the gateway sees it. `lastSeen` is the gateway's clock at the node's last heartbeat. */
export interface NodeEntry {
  readonly advert: NodeAdvert;
  readonly lastSeen: number;
}

/** One tool across the mesh: its approved descriptor and every node that serves exactly that descriptor. */
export interface ToolEntry {
  readonly name: string;
  readonly descriptor: ToolDescriptor;
  /** Node ids, sorted: entitled nodes advertising the approved descriptor (ADR 0011). */
  readonly providers: readonly string[];
  /**
   * Set when some node advertising the tool is not a provider (not granted, or its descriptor differs),
   * or grants are required: a NATS queue group on `tools.<token>` could then reach a node that must
   * not get the call, so placement addresses providers by id.
   */
  readonly restricted?: true;
}

/** Why a node advertising a tool gets no calls for it. */
export type ConflictReason = 'not-granted' | 'descriptor-differs' | 'security-downgrade' | 'unapproved';

/** A node that advertises a tool and is not one of its providers. */
export interface ToolConflict {
  readonly tool: string;
  readonly nodeId: string;
  readonly reason: ConflictReason;
  /** Digest of the node's descriptor (see descriptorDigest). */
  readonly digest: string;
  /** Digest of the approved descriptor, when there is one. */
  readonly approvedDigest?: string;
}

export interface ToolSet {
  /** Sorted by name. */
  readonly list: readonly ToolEntry[];
  readonly byName: ReadonlyMap<string, ToolEntry>;
  /** Sorted by tool, then node id. */
  readonly conflicts: readonly ToolConflict[];
  /** Equal for equal lists (names, approved descriptors, providers): lets a rebuild keep the old set. */
  readonly signature: string;
}

/**
 * A cheap identity of a node's tools, so a heartbeat that only changed load is recognised without a
 * deep comparison. Adverts are built by the same code on every beat, so equal tools serialise equally.
 */
export function toolsFingerprint(tools: readonly ToolDescriptor[]): string {
  return JSON.stringify(tools);
}
