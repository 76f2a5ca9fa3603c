import type { NodeAdvert } from '@easyremote/protocol';
import { compiledPrompt, type CompiledPrompt, type PromptDefinition } from './define-prompt.js';
import { compiledResource, type CompiledResource, type ResourceDefinition } from './define-resource.js';
import {
  compiledResourceTemplate,
  type CompiledResourceTemplate,
  type ResourceTemplateDefinition,
  type UriVariables,
} from './define-resource-template.js';
import { compiledMerger, type CompiledMerger, type MergerDefinition } from './define-merger.js';
import { compiledTool, type CompiledTool, type ToolDefinition } from './define-tool.js';
import { DefinitionKind, kindOf } from './definition-brand.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';

/** Anything a ComputeNode serves. */
export type NodeDefinition =
  ToolDefinition | ResourceDefinition | ResourceTemplateDefinition | PromptDefinition | MergerDefinition;

interface Entry<D, C> {
  readonly definition: D;
  readonly compiled: C;
}

export interface TemplateMatch {
  readonly template: CompiledResourceTemplate;
  readonly variables: UriVariables;
}

/** True for anything a define*() function of this package (any copy of it) built. */
export function isNodeDefinition(value: unknown): value is NodeDefinition {
  return kindOf(value) !== undefined;
}

function duplicate(code: NodeSdkErrorCode, what: string, nodeId: string): NodeSdkError {
  return new NodeSdkError(code, `${what} is already registered on node ${nodeId}`);
}

/**
 * Everything one node serves, by kind, in registration order. Tools, resources (by URI), templates
 * (by URI template) and prompts (by name) are separate namespaces.
 */
export class NodeCatalog {
  readonly #nodeId: string;
  readonly #tools = new Map<string, Entry<ToolDefinition, CompiledTool>>();
  readonly #resources = new Map<string, Entry<ResourceDefinition, CompiledResource>>();
  readonly #templates = new Map<string, Entry<ResourceTemplateDefinition, CompiledResourceTemplate>>();
  readonly #prompts = new Map<string, Entry<PromptDefinition, CompiledPrompt>>();
  /** Named fan-out mergers, including the merge functions of tools (named after the tool). */
  readonly #mergers = new Map<string, CompiledMerger>();

  constructor(nodeId: string) {
    this.#nodeId = nodeId;
  }

  /**
   * Adds a batch: all of it or, when one definition is invalid or a duplicate (also within the batch),
   * none of it. Returns the names of the tools it added (they need subscriptions).
   */
  add(definitions: readonly NodeDefinition[]): string[] {
    const tools = new Map<string, Entry<ToolDefinition, CompiledTool>>();
    const resources = new Map<string, Entry<ResourceDefinition, CompiledResource>>();
    const templates = new Map<string, Entry<ResourceTemplateDefinition, CompiledResourceTemplate>>();
    const prompts = new Map<string, Entry<PromptDefinition, CompiledPrompt>>();
    const mergers = new Map<string, CompiledMerger>();
    const addMerger = (merger: CompiledMerger): void => {
      if (this.#mergers.has(merger.name) || mergers.has(merger.name))
        throw duplicate(NodeSdkErrorCode.DuplicateTool, `merger ${JSON.stringify(merger.name)}`, this.#nodeId);
      mergers.set(merger.name, merger);
    };
    for (const definition of definitions) {
      switch (kindOf(definition)) {
        case DefinitionKind.Merger:
          addMerger(compiledMerger(definition as MergerDefinition));
          break;
        case DefinitionKind.Resource: {
          const d = definition as ResourceDefinition;
          if (this.#resources.has(d.uri) || resources.has(d.uri))
            throw duplicate(NodeSdkErrorCode.DuplicateResource, `resource ${JSON.stringify(d.uri)}`, this.#nodeId);
          resources.set(d.uri, { definition: d, compiled: compiledResource(d) });
          break;
        }
        case DefinitionKind.ResourceTemplate: {
          const d = definition as ResourceTemplateDefinition;
          if (this.#templates.has(d.uriTemplate) || templates.has(d.uriTemplate)) {
            throw duplicate(
              NodeSdkErrorCode.DuplicateResource,
              `resource template ${JSON.stringify(d.uriTemplate)}`,
              this.#nodeId,
            );
          }
          templates.set(d.uriTemplate, { definition: d, compiled: compiledResourceTemplate(d) });
          break;
        }
        case DefinitionKind.Prompt: {
          const d = definition as PromptDefinition;
          if (this.#prompts.has(d.name) || prompts.has(d.name))
            throw duplicate(NodeSdkErrorCode.DuplicatePrompt, `prompt ${JSON.stringify(d.name)}`, this.#nodeId);
          prompts.set(d.name, { definition: d, compiled: compiledPrompt(d) });
          break;
        }
        default: {
          // Tools last: compiledTool() also explains what went wrong with an unrecognised object.
          const d = definition as ToolDefinition;
          const compiled = compiledTool(d);
          if (this.#tools.has(compiled.name) || tools.has(compiled.name))
            throw duplicate(NodeSdkErrorCode.DuplicateTool, `tool ${JSON.stringify(compiled.name)}`, this.#nodeId);
          tools.set(compiled.name, { definition: d, compiled });
          const merge = compiled.fanout?.merge;
          if (merge !== undefined) addMerger({ name: compiled.name, merge, tool: compiled.name });
        }
      }
    }
    for (const [key, entry] of tools) this.#tools.set(key, entry);
    for (const [key, entry] of resources) this.#resources.set(key, entry);
    for (const [key, entry] of templates) this.#templates.set(key, entry);
    for (const [key, entry] of prompts) this.#prompts.set(key, entry);
    for (const [key, merger] of mergers) this.#mergers.set(key, merger);
    return [...tools.keys()];
  }

  tool(name: string): CompiledTool | undefined {
    return this.#tools.get(name)?.compiled;
  }

  toolNames(): string[] {
    return [...this.#tools.keys()];
  }

  resource(uri: string): CompiledResource | undefined {
    return this.#resources.get(uri)?.compiled;
  }

  /** The template registered with exactly this URI template string. */
  template(uriTemplate: string): CompiledResourceTemplate | undefined {
    return this.#templates.get(uriTemplate)?.compiled;
  }

  /** The first template (in registration order) that matches `uri`. */
  matchTemplate(uri: string): TemplateMatch | undefined {
    for (const { compiled } of this.#templates.values()) {
      const variables = compiled.match(uri);
      if (variables !== undefined) return { template: compiled, variables };
    }
    return undefined;
  }

  prompt(name: string): CompiledPrompt | undefined {
    return this.#prompts.get(name)?.compiled;
  }

  /** Models the registered tools serve (their `models`), without duplicates, in registration order. */
  models(): string[] {
    return [...new Set([...this.#tools.values()].flatMap((entry) => entry.compiled.models))];
  }

  merger(name: string): CompiledMerger | undefined {
    return this.#mergers.get(name);
  }

  get tools(): ToolDefinition[] {
    return [...this.#tools.values()].map((entry) => entry.definition);
  }

  get resources(): ResourceDefinition[] {
    return [...this.#resources.values()].map((entry) => entry.definition);
  }

  get resourceTemplates(): ResourceTemplateDefinition[] {
    return [...this.#templates.values()].map((entry) => entry.definition);
  }

  get prompts(): PromptDefinition[] {
    return [...this.#prompts.values()].map((entry) => entry.definition);
  }

  /** The advert's catalogue fields; the optional lists are left out when empty. */
  advertFields(): Pick<NodeAdvert, 'tools' | 'resources' | 'resourceTemplates' | 'prompts' | 'mergers'> {
    const mergers = [...this.#mergers.keys()];
    const resources = this.resources.map((d) => d.descriptor);
    const resourceTemplates = this.resourceTemplates.map((d) => d.descriptor);
    const prompts = this.prompts.map((d) => d.descriptor);
    return {
      tools: this.tools.map((d) => d.descriptor),
      ...(resources.length === 0 ? {} : { resources }),
      ...(resourceTemplates.length === 0 ? {} : { resourceTemplates }),
      ...(prompts.length === 0 ? {} : { prompts }),
      ...(mergers.length === 0 ? {} : { mergers }),
    };
  }
}
