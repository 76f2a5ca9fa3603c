import { compiledOf, DefinitionKind, hasCompiled, sealDefinition } from './definition-brand.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import type { MergeFunction } from './fanout-option.js';

export interface MergerSpec<A = Record<string, unknown>, S = Record<string, unknown>> {
  /** What tools name in `fanout: { merge: { reducer: name } }`. */
  name: string;
  description?: string;
  /**
   * Merges a fan-out's partial results, given in chunk order. Returns `toolResult(...)` as is, a plain
   * object as structured content (with its JSON as text), anything else like an unstructured handler.
   */
  merge: MergeFunction<A, S>;
}

/** A named fan-out merger, ready to register on a ComputeNode (advertised in `NodeAdvert.mergers`). */
export interface MergerDefinition {
  readonly kind: 'merger';
  readonly name: string;
}

export interface CompiledMerger {
  readonly name: string;
  readonly merge: MergeFunction<unknown, unknown>;
  /** Set for the merge function of a tool: its result is checked like that tool's results. */
  readonly tool: string | undefined;
}

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

export function defineMerger<A = Record<string, unknown>, S = Record<string, unknown>>(
  spec: MergerSpec<A, S>,
): MergerDefinition {
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    throw new NodeSdkError(
      NodeSdkErrorCode.InvalidTool,
      `invalid merger name ${JSON.stringify(spec.name)}: use 1-128 characters of A-Z a-z 0-9 _ . : -`,
    );
  }
  if (typeof spec.merge !== 'function')
    throw new NodeSdkError(
      NodeSdkErrorCode.InvalidTool,
      `merger ${JSON.stringify(spec.name)}: merge must be a function`,
    );
  const compiled: CompiledMerger = {
    name: spec.name,
    merge: spec.merge as MergeFunction<unknown, unknown>,
    tool: undefined,
  };
  return sealDefinition({ kind: DefinitionKind.Merger, name: spec.name }, DefinitionKind.Merger, compiled);
}

export function isMergerDefinition(value: unknown): value is MergerDefinition {
  return hasCompiled(value, DefinitionKind.Merger);
}

export function compiledMerger(definition: MergerDefinition): CompiledMerger {
  const compiled = compiledOf<CompiledMerger>(definition, DefinitionKind.Merger);
  if (compiled === undefined)
    throw new NodeSdkError(NodeSdkErrorCode.InvalidTool, 'not a merger definition: build mergers with defineMerger()');
  return compiled;
}
