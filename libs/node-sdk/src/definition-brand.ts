/** What a node can serve; every definition carries one of these as its public `kind`. */
export const DefinitionKind = {
  Tool: 'tool',
  Resource: 'resource',
  ResourceTemplate: 'resourceTemplate',
  Prompt: 'prompt',
  /** A named fan-out merger (`defineMerger`). */
  Merger: 'merger',
} as const;
export type DefinitionKind = (typeof DefinitionKind)[keyof typeof DefinitionKind];

/**
 * Registry-wide symbols rather than module-local WeakMaps: the CLI loads user modules that may resolve
 * their own copy of this package, and their definitions must still be recognised. The tool key keeps
 * its original name so definitions from older copies stay valid.
 */
const compiledKeys: Readonly<Record<DefinitionKind, symbol>> = {
  tool: Symbol.for('@easyremote/node-sdk.compiledTool'),
  resource: Symbol.for('@easyremote/node-sdk.compiledResource'),
  resourceTemplate: Symbol.for('@easyremote/node-sdk.compiledResourceTemplate'),
  prompt: Symbol.for('@easyremote/node-sdk.compiledPrompt'),
  merger: Symbol.for('@easyremote/node-sdk.compiledMerger'),
};

/** Attaches the compiled form (hidden, non-enumerable) and freezes the definition. */
export function sealDefinition<D extends object>(definition: D, kind: DefinitionKind, compiled: unknown): Readonly<D> {
  Object.defineProperty(definition, compiledKeys[kind], { value: compiled, enumerable: false });
  return Object.freeze(definition);
}

export function hasCompiled(value: unknown, kind: DefinitionKind): boolean {
  return typeof value === 'object' && value !== null && compiledKeys[kind] in value;
}

/** The compiled form of a definition of `kind`, or undefined when `value` is not one. */
export function compiledOf<T>(value: unknown, kind: DefinitionKind): T | undefined {
  if (!hasCompiled(value, kind)) return undefined;
  return (value as Record<symbol, T>)[compiledKeys[kind]];
}

/** The kind of a definition built by this package (any copy of it), or undefined. */
export function kindOf(value: unknown): DefinitionKind | undefined {
  for (const kind of Object.values(DefinitionKind)) if (hasCompiled(value, kind)) return kind;
  return undefined;
}
