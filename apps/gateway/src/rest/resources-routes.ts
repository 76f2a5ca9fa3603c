import type { FastifyInstance } from 'fastify';
import { computeResources, dataResources } from '../mcp/builtin-resources.js';
import type { McpServices } from '../mcp/services.js';

/**
 * The seed's `/mcp/resources` (GET or POST): every resource in the seed's shape, with its EasyRemote
 * metadata (capabilities, load, availability for nodes; size and age for data sets) at top level.
 */
export function registerResourceRoutes(app: FastifyInstance, services: McpServices): void {
  const handler = async () => {
    const all: Record<string, unknown>[] = [
      ...computeResources(services.registry),
      ...dataResources(services.dataSets),
      ...services.registry.resources().map((entry) => ({ ...entry.descriptor, provider: entry.providers[0] })),
    ];
    const resources = all.map(({ _meta, ...resource }) => {
      const metadata = (_meta as Record<string, unknown> | undefined)?.['easyremote/metadata'];
      return metadata === undefined ? resource : { ...resource, metadata };
    });
    return { resources };
  };
  app.get('/mcp/resources', handler);
  app.post('/mcp/resources', handler);
}
