import type { PromptDescriptor, ResourceDescriptor, ResourceTemplateDescriptor } from '@easyremote/protocol';
import type { NodeEntry } from './tool-set.js';

/** One resource, template or prompt across the mesh, with every node that serves it. */
export interface CatalogEntry<D> {
  readonly key: string;
  readonly descriptor: D;
  /** Node ids, sorted. */
  readonly providers: readonly string[];
}

export interface CatalogIndex<D> {
  /** Sorted by key. */
  readonly list: readonly CatalogEntry<D>[];
  readonly byKey: ReadonlyMap<string, CatalogEntry<D>>;
}

/** Everything nodes serve besides tools. */
export interface Catalog {
  readonly resources: CatalogIndex<ResourceDescriptor>;
  readonly resourceTemplates: CatalogIndex<ResourceTemplateDescriptor>;
  readonly prompts: CatalogIndex<PromptDescriptor>;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same rule as tools: nodes visited in id order, so the smallest node id's descriptor wins everywhere. */
function index<D>(
  ids: readonly string[],
  nodes: ReadonlyMap<string, NodeEntry>,
  items: (entry: NodeEntry) => readonly D[] | undefined,
  keyOf: (descriptor: D) => string,
): CatalogIndex<D> {
  const building = new Map<string, { descriptor: D; providers: string[] }>();
  for (const id of ids) {
    const node = nodes.get(id);
    for (const descriptor of (node && items(node)) ?? []) {
      const key = keyOf(descriptor);
      const entry = building.get(key);
      if (entry === undefined) building.set(key, { descriptor, providers: [id] });
      else if (entry.providers[entry.providers.length - 1] !== id) entry.providers.push(id);
    }
  }
  const byKey = new Map<string, CatalogEntry<D>>();
  const list = [...building.keys()].sort(byCodeUnits).map((key) => {
    const { descriptor, providers } = building.get(key)!;
    const entry: CatalogEntry<D> = Object.freeze({ key, descriptor, providers: Object.freeze(providers) });
    byKey.set(key, entry);
    return entry;
  });
  return { list: Object.freeze(list), byKey };
}

export function buildCatalog(nodes: ReadonlyMap<string, NodeEntry>): Catalog {
  const ids = [...nodes.keys()].sort(byCodeUnits);
  return {
    resources: index(
      ids,
      nodes,
      (node) => node.advert.resources,
      (resource) => resource.uri,
    ),
    resourceTemplates: index(
      ids,
      nodes,
      (node) => node.advert.resourceTemplates,
      (template) => template.uriTemplate,
    ),
    prompts: index(
      ids,
      nodes,
      (node) => node.advert.prompts,
      (prompt) => prompt.name,
    ),
  };
}

/** Identity of a node's non-tool catalog, compared on every heartbeat like the tools fingerprint. */
export function catalogFingerprint(advert: NodeEntry['advert']): string {
  return JSON.stringify([advert.resources ?? [], advert.resourceTemplates ?? [], advert.prompts ?? []]);
}
