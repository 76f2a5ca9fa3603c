import type { NodeAdvert, ToolDescriptor } from '@easyremote/protocol';

/** A live node as the gateway sees it. `lastSeen` is the gateway's clock at the node's last heartbeat. */
export interface NodeEntry {
  readonly advert: NodeAdvert;
  readonly lastSeen: number;
}

/** One tool across the mesh: its descriptor and every node that serves it. */
export interface ToolEntry {
  readonly name: string;
  readonly descriptor: ToolDescriptor;
  /** Node ids, sorted. */
  readonly providers: readonly string[];
}

export interface ToolSet {
  /** Sorted by name. */
  readonly list: readonly ToolEntry[];
  readonly byName: ReadonlyMap<string, ToolEntry>;
}

/**
 * A cheap identity of a node's tools, so a heartbeat that only changed load is recognised without a
 * deep comparison. Adverts are built by the same code on every beat, so equal tools serialise equally.
 */
export function toolsFingerprint(tools: readonly ToolDescriptor[]): string {
  return JSON.stringify(tools);
}

// Code-unit order, not localeCompare: every gateway must agree regardless of its locale.
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds the mesh-wide tool list. Nodes are visited in node-id order, so when providers disagree on a
 * descriptor the smallest node id wins: every gateway shows the same thing for the same registry.
 */
export function buildToolSet(nodes: ReadonlyMap<string, NodeEntry>): ToolSet {
  const ids = [...nodes.keys()].sort(byCodeUnits);
  const building = new Map<string, { descriptor: ToolDescriptor; providers: string[] }>();
  for (const id of ids) {
    const tools = nodes.get(id)?.advert.tools ?? [];
    for (const descriptor of tools) {
      const tool = building.get(descriptor.name);
      if (tool === undefined) {
        building.set(descriptor.name, { descriptor, providers: [id] });
      } else if (tool.providers[tool.providers.length - 1] !== id) {
        // The check skips a name a node listed twice; ids arrive in order, so the last is the only candidate.
        tool.providers.push(id);
      }
    }
  }
  const names = [...building.keys()].sort(byCodeUnits);
  const byName = new Map<string, ToolEntry>();
  const list = names.map((name) => {
    const { descriptor, providers } = building.get(name)!;
    const entry: ToolEntry = Object.freeze({ name, descriptor, providers: Object.freeze(providers) });
    byName.set(name, entry);
    return entry;
  });
  return { list: Object.freeze(list), byName };
}
