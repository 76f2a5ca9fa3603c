import { createRequire } from 'node:module';
import { ResourceTemplateDescriptor } from '@easyremote/protocol';
import type { UriTemplate } from '@modelcontextprotocol/server';
import { Compile } from 'typebox/compile';
import { completerMap, type Completer, type Completers } from './completion-types.js';
import { commonFields, invalidResource, type ResourceAnnotations } from './define-resource.js';
import type { ToolIcon } from './define-tool.js';
import { compiledOf, DefinitionKind, sealDefinition } from './definition-brand.js';
import type { ResourceReturn } from './resource-contents.js';
import type { ToolContext } from './tool-context.js';
import { formatErrors } from './validation.js';

/** Template variables as matched in the URI (RFC 6570; not percent-decoded; `{x*}` lists are arrays). */
export type UriVariables = Readonly<Record<string, string | string[]>>;

export interface ResourceTemplateSpec {
  /** An RFC 6570 URI template: `test://template/{id}/data`, `file:///{+path}`. */
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: ResourceAnnotations;
  icons?: ToolIcon[];
  read: (uri: string, variables: UriVariables, ctx: ToolContext) => ResourceReturn | Promise<ResourceReturn>;
  /** Completers by template variable (`completion/complete` with `ref/resource`). */
  complete?: Completers;
}

/** A family of resources ready to register on a ComputeNode. Build it with `defineResourceTemplate`. */
export interface ResourceTemplateDefinition {
  readonly kind: 'resourceTemplate';
  readonly uriTemplate: string;
  readonly name: string;
  /** What the node advertises (`resources/templates/list`). */
  readonly descriptor: ResourceTemplateDescriptor;
}

export interface CompiledResourceTemplate {
  readonly uriTemplate: string;
  readonly mimeType: string | undefined;
  /** The variables when `uri` matches the template, otherwise undefined. */
  match(uri: string): UriVariables | undefined;
  readonly read: (uri: string, variables: UriVariables, ctx: ToolContext) => unknown;
  readonly complete: ReadonlyMap<string, Completer>;
}

const descriptorValidator = Compile(ResourceTemplateDescriptor);

let uriTemplateClass: typeof UriTemplate | undefined;

/**
 * The SDK's RFC 6570 matcher (the gateway matches with the same one), loaded on the first template:
 * the SDK brings zod and its validators, most of a small node's memory, and a node that defines no
 * resource template never needs it.
 */
function uriTemplates(): typeof UriTemplate {
  uriTemplateClass ??= (
    createRequire(import.meta.url)('@modelcontextprotocol/server') as { UriTemplate: typeof UriTemplate }
  ).UriTemplate;
  return uriTemplateClass;
}

function parseTemplate(what: string, source: string): UriTemplate {
  const UriTemplate = uriTemplates();
  if (typeof source !== 'string' || !UriTemplate.isTemplate(source))
    throw invalidResource(what, 'uriTemplate must contain at least one {variable} expression');
  try {
    return new UriTemplate(source);
  } catch (cause) {
    throw invalidResource(what, `invalid URI template (${(cause as Error).message})`, cause);
  }
}

export function defineResourceTemplate(spec: ResourceTemplateSpec): ResourceTemplateDefinition {
  const { uriTemplate } = spec;
  const what = `resource template ${JSON.stringify(uriTemplate)}`;
  const template = parseTemplate(what, uriTemplate);
  if (typeof spec.read !== 'function') throw invalidResource(what, 'read must be a function');
  let complete: ReadonlyMap<string, Completer>;
  try {
    complete = completerMap(spec.complete, template.variableNames, 'template variables');
  } catch (cause) {
    throw invalidResource(what, (cause as Error).message, cause);
  }
  const descriptor = {
    uriTemplate,
    name: spec.name,
    ...commonFields(spec),
    ...(complete.size === 0 ? {} : { completable: [...complete.keys()] }),
  } as ResourceTemplateDescriptor;
  if (!descriptorValidator.Check(descriptor))
    throw invalidResource(what, `invalid definition (${formatErrors(descriptorValidator.Errors(descriptor))})`);
  const compiled: CompiledResourceTemplate = {
    uriTemplate,
    mimeType: spec.mimeType,
    match: (uri) => {
      try {
        return template.match(uri) ?? undefined;
      } catch {
        // The matcher refuses URIs over its length limit; such a URI matches nothing.
        return undefined;
      }
    },
    read: spec.read,
    complete,
  };
  const definition = {
    kind: DefinitionKind.ResourceTemplate,
    uriTemplate,
    name: spec.name,
    descriptor: Object.freeze(descriptor),
  };
  return sealDefinition(definition, DefinitionKind.ResourceTemplate, compiled);
}

export function compiledResourceTemplate(definition: ResourceTemplateDefinition): CompiledResourceTemplate {
  const compiled = compiledOf<CompiledResourceTemplate>(definition, DefinitionKind.ResourceTemplate);
  if (compiled === undefined) {
    throw invalidResource(
      `resource template ${JSON.stringify(definition?.uriTemplate)}`,
      'not a resource template definition: build it with defineResourceTemplate()',
    );
  }
  return compiled;
}
