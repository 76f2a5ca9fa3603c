import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isNodeDefinition, type NodeDefinition } from '@easyremote/node-sdk';

function isDefinitionArray(value: unknown): value is NodeDefinition[] {
  return Array.isArray(value) && value.every((item) => isNodeDefinition(item));
}

/**
 * Loads what a node serves from a module: a file path (resolved against the working directory) or a
 * package name. The module exports an array of definitions (tools, resources, resource templates,
 * prompts) as `tools` or as its default export.
 */
export interface LoadedModule {
  definitions: NodeDefinition[];
  /** Models the module's backends serve (an optional `models` export), advertised as a capability. */
  models: string[];
}

export async function loadToolsModule(specifier: string, cwd: string): Promise<LoadedModule> {
  const isPath = specifier.startsWith('.') || specifier.startsWith('/') || /\.(m?js|ts)$/.test(specifier);
  const target = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  const module = (await import(target)) as { tools?: unknown; default?: unknown; models?: unknown };
  const definitions = module.tools ?? module.default;
  if (!isDefinitionArray(definitions)) {
    throw new Error(
      `${specifier} does not export an array of tool/resource/prompt definitions (as "tools" or as its default export)`,
    );
  }
  const models = Array.isArray(module.models)
    ? module.models.filter((model): model is string => typeof model === 'string' && model !== '')
    : [];
  return { definitions, models };
}
