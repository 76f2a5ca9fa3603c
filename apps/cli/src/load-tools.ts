import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ToolDefinition } from '@easyremote/node-sdk';

function isToolArray(value: unknown): value is ToolDefinition[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && 'descriptor' in item);
}

/**
 * Loads tool definitions from a module: a file path (resolved against the working directory) or a
 * package name. The module exports an array of tools as `tools` or as its default export.
 */
export async function loadToolsModule(specifier: string, cwd: string): Promise<ToolDefinition[]> {
  const isPath = specifier.startsWith('.') || specifier.startsWith('/') || /\.(m?js|ts)$/.test(specifier);
  const target = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  const module = (await import(target)) as { tools?: unknown; default?: unknown };
  const tools = module.tools ?? module.default;
  if (!isToolArray(tools)) {
    throw new Error(`${specifier} does not export an array of tools (as "tools" or as its default export)`);
  }
  return tools;
}
