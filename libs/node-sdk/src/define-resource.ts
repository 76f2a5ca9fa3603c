import { ResourceDescriptor } from '@easyremote/protocol';
import { Compile } from 'typebox/compile';
import { compiledOf, DefinitionKind, sealDefinition } from './definition-brand.js';
import type { ToolIcon } from './define-tool.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import type { ResourceReturn } from './resource-contents.js';
import type { ToolContext } from './tool-context.js';
import { formatErrors } from './validation.js';

/** MCP resource annotations: hints for clients about who the contents are for. */
export interface ResourceAnnotations {
  audience?: ('user' | 'assistant')[];
  /** 0 (least important) to 1 (most). */
  priority?: number;
  /** ISO 8601 timestamp. */
  lastModified?: string;
}

export interface ResourceSpec {
  /** The resource's URI, with a scheme: `test://static-text`, `file:///srv/data.csv`. */
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** Size in bytes, when known. */
  size?: number;
  annotations?: ResourceAnnotations;
  icons?: ToolIcon[];
  /** Its context can ask the client for input when the gateway names the client on the request. */
  read: (uri: string, ctx: ToolContext) => ResourceReturn | Promise<ResourceReturn>;
}

/** A concrete resource ready to register on a ComputeNode. Build it with `defineResource`. */
export interface ResourceDefinition {
  readonly kind: 'resource';
  readonly uri: string;
  readonly name: string;
  /** What the node advertises (`resources/list`). */
  readonly descriptor: ResourceDescriptor;
}

export interface CompiledResource {
  readonly uri: string;
  readonly mimeType: string | undefined;
  readonly read: (uri: string, ctx: ToolContext) => unknown;
}

const URI_WITH_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;
const descriptorValidator = Compile(ResourceDescriptor);

export function invalidResource(what: string, reason: string, cause?: unknown): NodeSdkError {
  return new NodeSdkError(
    NodeSdkErrorCode.InvalidResource,
    `${what}: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The descriptor fields resources and templates share, copied so later edits to the spec do not leak in. */
export function commonFields(spec: {
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: object;
  icons?: ToolIcon[];
}): Record<string, unknown> {
  return {
    ...(spec.title === undefined ? {} : { title: spec.title }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.mimeType === undefined ? {} : { mimeType: spec.mimeType }),
    ...(spec.annotations === undefined ? {} : { annotations: structuredClone(spec.annotations) }),
    ...(spec.icons === undefined ? {} : { icons: spec.icons.map((icon) => ({ ...icon })) }),
  };
}

export function defineResource(spec: ResourceSpec): ResourceDefinition {
  const { uri } = spec;
  const what = `resource ${JSON.stringify(uri)}`;
  if (typeof uri !== 'string' || !URI_WITH_SCHEME.test(uri))
    throw invalidResource(what, 'uri must be an absolute URI with a scheme (test://x, file:///y)');
  if (typeof spec.read !== 'function') throw invalidResource(what, 'read must be a function');
  const descriptor = {
    uri,
    name: spec.name,
    ...commonFields(spec),
    ...(spec.size === undefined ? {} : { size: spec.size }),
  } as ResourceDescriptor;
  if (!descriptorValidator.Check(descriptor))
    throw invalidResource(what, `invalid definition (${formatErrors(descriptorValidator.Errors(descriptor))})`);
  const compiled: CompiledResource = { uri, mimeType: spec.mimeType, read: spec.read };
  return sealDefinition(
    { kind: DefinitionKind.Resource, uri, name: spec.name, descriptor: Object.freeze(descriptor) },
    DefinitionKind.Resource,
    compiled,
  );
}

export function compiledResource(definition: ResourceDefinition): CompiledResource {
  const compiled = compiledOf<CompiledResource>(definition, DefinitionKind.Resource);
  if (compiled === undefined)
    throw invalidResource(
      `resource ${JSON.stringify(definition?.uri)}`,
      'not a resource definition: build it with defineResource()',
    );
  return compiled;
}
