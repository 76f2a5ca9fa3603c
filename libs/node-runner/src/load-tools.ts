import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isNodeDefinition, type NodeDefinition } from '@easyremote/node-sdk';

function isDefinitionArray(value: unknown): value is NodeDefinition[] {
  return Array.isArray(value) && value.every((item) => isNodeDefinition(item));
}

/** What a node serves from one module, and how to let it go when the node stops. */
export interface LoadedModule {
  definitions: NodeDefinition[];
  /** Models the module's backends serve (an optional `models` export), advertised as a capability. */
  models: string[];
  /** Releases what the module holds (sandboxes, connections); from a `close` its factory returned. */
  close(): Promise<void>;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** An imported tools module (its namespace object): any of these exports, checked when loaded. */
export interface ToolsModule {
  tools?: unknown;
  default?: unknown;
  models?: unknown;
  fromEnvironment?: unknown;
}

type ModuleShape = ToolsModule;

/**
 * Loads what a node serves from a module: a file path (resolved against the working directory) or a
 * package name. The module either exports an array of definitions (tools, resources, resource
 * templates, prompts) as `tools` or as its default export, with an optional `models` array, or a
 * `fromEnvironment(env)` factory returning `{ tools, models?, close? }`: a library whose tools depend
 * on settings (the toolbox) reads none itself, the runner hands it the process's environment.
 */
export async function loadToolsModule(
  source: string | ToolsModule,
  cwd: string,
  env: Environment,
): Promise<LoadedModule> {
  const specifier = typeof source === 'string' ? source : 'the tools module';
  let module = typeof source === 'string' ? await importModule(source, cwd) : source;
  let close: unknown;
  if (typeof module.fromEnvironment === 'function') {
    const built = (await (module.fromEnvironment as (env: Environment) => unknown)(env)) as ModuleShape & {
      close?: unknown;
    };
    module = built ?? {};
    close = built?.close;
  }
  const definitions = module.tools ?? module.default;
  if (!isDefinitionArray(definitions)) {
    throw new Error(
      `${specifier} does not export an array of tool/resource/prompt definitions (as "tools", as its default export, or from fromEnvironment(env))`,
    );
  }
  const models = Array.isArray(module.models)
    ? module.models.filter((model): model is string => typeof model === 'string' && model !== '')
    : [];
  return {
    definitions,
    models,
    close: async () => {
      if (typeof close === 'function') await (close as () => unknown).call(module);
    },
  };
}

async function importModule(specifier: string, cwd: string): Promise<ModuleShape> {
  const isPath = specifier.startsWith('.') || specifier.startsWith('/') || /\.(m?js|ts)$/.test(specifier);
  const target = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  return (await import(target)) as ModuleShape;
}
