import { PromptDescriptor } from '@easyremote/protocol';
import { Compile } from 'typebox/compile';
import { completerMap, type Completer, type Completers } from './completion-types.js';
import type { ToolIcon } from './define-tool.js';
import { compiledOf, DefinitionKind, sealDefinition } from './definition-brand.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import type { PromptReturn } from './prompt-messages.js';
import type { ToolContext } from './tool-context.js';
import { formatErrors } from './validation.js';

export interface PromptArgumentSpec {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly required?: boolean;
}

type RequiredNames<A extends readonly PromptArgumentSpec[]> = Extract<A[number], { readonly required: true }>['name'];
type OptionalNames<A extends readonly PromptArgumentSpec[]> = Exclude<A[number], { readonly required: true }>['name'];

/** The arguments `get` receives: declared names, required ones always present. MCP prompt arguments are strings. */
export type PromptArguments<A extends readonly PromptArgumentSpec[]> = { readonly [K in RequiredNames<A>]: string } & {
  readonly [K in OptionalNames<A>]?: string;
};

export interface PromptSpec<A extends readonly PromptArgumentSpec[] = readonly PromptArgumentSpec[]> {
  name: string;
  title?: string;
  description?: string;
  arguments?: A;
  icons?: ToolIcon[];
  /**
   * Builds the messages; a missing required argument never reaches it (NODE_ERR_INVALID_ARGUMENTS).
   * Its context can ask the client for input when the gateway names the client on the request.
   */
  get: (args: PromptArguments<A>, ctx: ToolContext) => PromptReturn | Promise<PromptReturn>;
  /** Completers by argument name (`completion/complete` with `ref/prompt`). */
  complete?: Completers;
}

/** A prompt ready to register on a ComputeNode. Build it with `definePrompt`. */
export interface PromptDefinition {
  readonly kind: 'prompt';
  readonly name: string;
  /** What the node advertises (`prompts/list`). */
  readonly descriptor: PromptDescriptor;
}

export interface CompiledPrompt {
  readonly name: string;
  readonly required: readonly string[];
  readonly get: (args: Readonly<Record<string, string>>, ctx: ToolContext) => unknown;
  readonly complete: ReadonlyMap<string, Completer>;
}

const descriptorValidator = Compile(PromptDescriptor);

function invalid(name: unknown, reason: string, cause?: unknown): NodeSdkError {
  return new NodeSdkError(
    NodeSdkErrorCode.InvalidPrompt,
    `prompt ${JSON.stringify(name)}: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}

function argumentList(name: string, args: readonly PromptArgumentSpec[] | undefined): PromptArgumentSpec[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw invalid(name, 'arguments must be an array');
  const seen = new Set<string>();
  return args.map((arg: PromptArgumentSpec) => {
    if (typeof arg?.name !== 'string' || arg.name === '') throw invalid(name, 'every argument needs a non-empty name');
    if (seen.has(arg.name)) throw invalid(name, `argument ${JSON.stringify(arg.name)} is declared twice`);
    seen.add(arg.name);
    return {
      name: arg.name,
      ...(arg.title === undefined ? {} : { title: arg.title }),
      ...(arg.description === undefined ? {} : { description: arg.description }),
      ...(arg.required === undefined ? {} : { required: arg.required }),
    };
  });
}

export function definePrompt<const A extends readonly PromptArgumentSpec[] = readonly []>(
  spec: PromptSpec<A>,
): PromptDefinition {
  const { name } = spec;
  if (typeof name !== 'string' || name === '') throw invalid(name, 'name must be a non-empty string');
  if (typeof spec.get !== 'function') throw invalid(name, 'get must be a function');
  const args = argumentList(name, spec.arguments);
  let complete: ReadonlyMap<string, Completer>;
  try {
    complete = completerMap(
      spec.complete,
      args.map((arg) => arg.name),
      'arguments',
    );
  } catch (cause) {
    throw invalid(name, (cause as Error).message, cause);
  }
  const descriptor = {
    name,
    ...(spec.title === undefined ? {} : { title: spec.title }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(args.length === 0 ? {} : { arguments: args }),
    ...(spec.icons === undefined ? {} : { icons: spec.icons.map((icon) => ({ ...icon })) }),
    ...(complete.size === 0 ? {} : { completable: [...complete.keys()] }),
  } as PromptDescriptor;
  if (!descriptorValidator.Check(descriptor))
    throw invalid(name, `invalid definition (${formatErrors(descriptorValidator.Errors(descriptor))})`);
  const compiled: CompiledPrompt = {
    name,
    required: args.filter((arg) => arg.required === true).map((arg) => arg.name),
    get: spec.get as CompiledPrompt['get'],
    complete,
  };
  return sealDefinition(
    { kind: DefinitionKind.Prompt, name, descriptor: Object.freeze(descriptor) },
    DefinitionKind.Prompt,
    compiled,
  );
}

export function compiledPrompt(definition: PromptDefinition): CompiledPrompt {
  const compiled = compiledOf<CompiledPrompt>(definition, DefinitionKind.Prompt);
  if (compiled === undefined) throw invalid(definition?.name, 'not a prompt definition: build it with definePrompt()');
  return compiled;
}
