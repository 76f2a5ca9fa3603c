import {
  canonicalResourceUri,
  type PromptDescriptor,
  type ResourceDescriptor,
  type ResourceTemplateDescriptor,
} from '@easyremote/protocol';
import {
  ProtocolErrorCode,
  UriTemplate,
  type CompleteResult,
  type GetPromptResult,
  type InputRequiredResult,
  type ListPromptsResult,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType,
} from '@modelcontextprotocol/server';
import { callerIdentity } from '../../security/caller-identity.js';
import {
  BUILTIN_TEMPLATES,
  COMPUTE_PREFIX,
  computeNodeInfo,
  computeResources,
  DATA_PREFIX,
  dataResources,
  isTextMime,
} from '../builtin-resources.js';
import type { McpCallContext, WireParams } from '../call-context.js';
import { McpProtocolError } from '../protocol-error.js';
import type { McpServices } from '../services.js';
import { runOnNode, unwrapNodeResult } from './node-result.js';
import { paginate } from './tools-list.js';

const templateCache = new Map<string, UriTemplate>();

function template(uriTemplate: string): UriTemplate | undefined {
  let compiled = templateCache.get(uriTemplate);
  if (!compiled) {
    try {
      compiled = new UriTemplate(uriTemplate);
    } catch {
      return undefined;
    }
    if (templateCache.size > 10_000) templateCache.clear();
    templateCache.set(uriTemplate, compiled);
  }
  return compiled;
}

/*
 * Descriptors become the MCP objects they advertise. The advert codec checked every field's kind
 * (icons and annotations are JSON objects), not their inner shape: the gateway relays those as the
 * node gave them, hence the casts to the SDK's types.
 */
function mcpResource(descriptor: ResourceDescriptor): Resource {
  return { ...descriptor } as Resource;
}

function mcpTemplate(descriptor: ResourceTemplateDescriptor): ResourceTemplateType {
  const { completable: _completable, ...rest } = descriptor;
  return rest as ResourceTemplateType;
}

/** `resources/list`: what nodes serve, every live compute node, and every stored data set. */
export function listResources(params: WireParams<'resources/list'>, services: McpServices): ListResourcesResult {
  const all = [
    ...services.registry.resources().map((entry) => mcpResource(entry.descriptor)),
    ...computeResources(services.registry),
    ...dataResources(services.dataSets),
  ];
  const { page, nextCursor } = paginate(all, params.cursor, services.pageSize);
  return nextCursor === undefined ? { resources: page } : { resources: page, nextCursor };
}

export function listResourceTemplates(
  params: WireParams<'resources/templates/list'>,
  services: McpServices,
): ListResourceTemplatesResult {
  const all = [
    ...services.registry.resourceTemplates().map((entry) => mcpTemplate(entry.descriptor)),
    ...BUILTIN_TEMPLATES,
  ];
  const { page, nextCursor } = paginate(all, params.cursor, services.pageSize);
  return nextCursor === undefined ? { resourceTemplates: page } : { resourceTemplates: page, nextCursor };
}

function notFound(uri: string): McpProtocolError {
  return new McpProtocolError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
}

/** `resources/read`: built-in URIs answered here, anything else by a node that serves it. */
export async function readResource(
  params: WireParams<'resources/read'>,
  context: McpCallContext,
  services: McpServices,
): Promise<ReadResourceResult | InputRequiredResult> {
  const uri = params.uri;
  if (typeof uri !== 'string' || uri.length === 0)
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'resources/read needs a string "uri"');
  // The built-in resources are looked up by the canonical URI, the spelling the scope check judged
  // (security/secured-dispatcher.ts), so `easyremote://data/%70rivate-1` is private-1 for both.
  const canonical = canonicalResourceUri(uri);
  if (canonical.startsWith(COMPUTE_PREFIX)) {
    const info = computeNodeInfo(services.registry, canonical.slice(COMPUTE_PREFIX.length));
    if (!info) throw notFound(uri);
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(info) }] };
  }
  if (canonical.startsWith(DATA_PREFIX)) {
    const id = canonical.slice(DATA_PREFIX.length);
    const set = services.dataSets.get(id);
    const bytes = set ? await services.dataSets.read(id) : undefined;
    if (!set || !bytes) throw notFound(uri);
    const content = isTextMime(set.mimeType)
      ? { uri, mimeType: set.mimeType, text: Buffer.from(bytes).toString('utf8') }
      : { uri, mimeType: set.mimeType, blob: Buffer.from(bytes).toString('base64') };
    return { contents: [content] };
  }
  const providers = providersFor(uri, services);
  if (providers.length === 0) throw notFound(uri);
  return runOnNode('resources/read', uri, params, providers, context, services, `Resource ${uri}`);
}

/** Nodes serving `uri` exactly, else nodes whose template matches it. */
function providersFor(uri: string, services: McpServices): readonly string[] {
  const exact = services.registry.resource(uri);
  if (exact) return exact.providers;
  for (const entry of services.registry.resourceTemplates()) {
    if (template(entry.key)?.match(uri)) return entry.providers;
  }
  return [];
}

function mcpPrompt(descriptor: PromptDescriptor): Prompt {
  const { completable: _completable, ...rest } = descriptor;
  return rest as Prompt;
}

export function listPrompts(params: WireParams<'prompts/list'>, services: McpServices): ListPromptsResult {
  const all = services.registry.prompts().map((entry) => mcpPrompt(entry.descriptor));
  const { page, nextCursor } = paginate(all, params.cursor, services.pageSize);
  return nextCursor === undefined ? { prompts: page } : { prompts: page, nextCursor };
}

export async function getPrompt(
  params: WireParams<'prompts/get'>,
  context: McpCallContext,
  services: McpServices,
): Promise<GetPromptResult | InputRequiredResult> {
  const name = params.name;
  if (typeof name !== 'string' || name.length === 0)
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'prompts/get needs a string "name"');
  const entry = services.registry.prompt(name);
  if (!entry) throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  const args = params.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'prompts/get "arguments" must be an object of strings');
  }
  return runOnNode('prompts/get', name, params, entry.providers, context, services, `Prompt ${name}`);
}

const MAX_VALUES = 100;

function completion(values: string[]): CompleteResult {
  return {
    completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES },
  };
}

/**
 * `completion/complete`: prompt arguments and template variables are completed by a node that serves
 * the prompt or template; the built-in templates (compute nodes, data sets) are completed here.
 */
export async function complete(
  params: WireParams<'completion/complete'>,
  context: McpCallContext,
  services: McpServices,
): Promise<CompleteResult> {
  const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
  const argument = params.argument as { name?: unknown; value?: unknown } | undefined;
  if (!ref || typeof argument?.name !== 'string' || typeof argument.value !== 'string') {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'completion/complete needs "ref" and "argument" { name, value }',
    );
  }
  const prefix = argument.value;
  let providers: readonly string[] | undefined;
  if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
    providers = services.registry.prompt(ref.name)?.providers;
    if (!providers) throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
  } else if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
    if (ref.uri === `${COMPUTE_PREFIX}{nodeId}`)
      return completion([...services.registry.nodes().keys()].filter((id) => id.startsWith(prefix)).sort());
    if (ref.uri === `${DATA_PREFIX}{id}`)
      return completion(
        services.dataSets
          .list()
          .map((set) => set.id)
          .filter((id) => id.startsWith(prefix)),
      );
    providers = services.registry.resourceTemplates().find((entry) => entry.key === ref.uri)?.providers;
    if (!providers)
      throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
  } else {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'completion/complete "ref" must be a ref/prompt or ref/resource',
    );
  }
  const request = { ref, argument, ...(params.context ? { context: params.context } : {}) } as Record<string, unknown>;
  const { reply } = await services.nodeRpc.call(
    providers,
    { method: 'completion/complete', params: request },
    { signal: context.signal, caller: callerIdentity(context.principal, context.access) },
  );
  return unwrapNodeResult('completion/complete', reply, 'Completion target');
}
