import type { Resource, ResourceTemplateType } from '@modelcontextprotocol/server';
import type { RegistryView } from '@easyremote/registry';
import type { DataSet, DataSets } from './data-sets.js';

export const COMPUTE_PREFIX = 'easyremote://compute/';
export const DATA_PREFIX = 'easyremote://data/';

const GiB = 1024 ** 3;

/** What the seed calls a compute node's metadata: capabilities, load and availability. */
export function computeNodeInfo(registry: RegistryView, nodeId: string): Record<string, unknown> | undefined {
  const entry = registry.node(nodeId);
  if (!entry) return undefined;
  const { advert } = entry;
  const busy = advert.load.inFlight >= advert.load.maxConcurrency;
  return {
    node_id: advert.nodeId,
    node_type: 'compute',
    capabilities: advert.capabilities,
    current_load: {
      in_flight: advert.load.inFlight,
      max_concurrency: advert.load.maxConcurrency,
      utilization: advert.load.inFlight / advert.load.maxConcurrency,
    },
    availability: busy ? 'busy' : 'available',
    tools: advert.tools.map((tool) => tool.name),
    started_at: new Date(advert.startedAt).toISOString(),
    last_heartbeat_ms_ago: Math.max(0, Date.now() - entry.lastSeen),
  };
}

/** Every live node as an MCP resource (the seed's `easyremote://compute/<nodeId>`). */
export function computeResources(registry: RegistryView): Resource[] {
  return [...registry.nodes().keys()].sort().map((nodeId) => {
    const info = computeNodeInfo(registry, nodeId)!;
    const capabilities = registry.node(nodeId)!.advert.capabilities;
    return {
      uri: `${COMPUTE_PREFIX}${nodeId}`,
      name: `compute-${nodeId}`,
      title: `Compute Node ${nodeId}`,
      description: `Distributed compute resource: ${capabilities.cpus} CPUs, ${(capabilities.memoryBytes / GiB).toFixed(1)} GiB, ${capabilities.platform}`,
      mimeType: 'application/json',
      _meta: {
        'easyremote/metadata': {
          node_type: 'compute',
          capabilities,
          current_load: info.current_load,
          availability: info.availability,
        },
      },
    };
  });
}

export function dataResource(set: DataSet): Resource {
  return {
    uri: `${DATA_PREFIX}${set.id}`,
    name: set.id,
    title: `Data Source ${set.id}`,
    description: set.description || `Distributed data resource: ${set.id}`,
    mimeType: set.mimeType,
    size: set.size,
    _meta: { 'easyremote/metadata': { size: set.size, last_updated: set.lastUpdated, access_level: 'mesh' } },
  };
}

export function dataResources(dataSets: DataSets): Resource[] {
  return dataSets.list().map(dataResource);
}

export const BUILTIN_TEMPLATES: readonly ResourceTemplateType[] = Object.freeze([
  {
    uriTemplate: `${COMPUTE_PREFIX}{nodeId}`,
    name: 'compute-node',
    title: 'Compute node',
    description: 'A compute node of the mesh: capabilities, load, availability',
    mimeType: 'application/json',
  },
  {
    uriTemplate: `${DATA_PREFIX}{id}`,
    name: 'data-set',
    title: 'Data set',
    description: 'A data set stored in the mesh',
    mimeType: 'application/octet-stream',
  },
]);

const TEXT_TYPES = /^(text\/|application\/(json|jsonl|x-ndjson|xml|csv))/;

export function isTextMime(mimeType: string): boolean {
  return TEXT_TYPES.test(mimeType);
}
