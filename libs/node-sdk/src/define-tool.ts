import { isValidToolName, ToolDescriptor, type ToolMetadata, type ToolRequirements } from '@easyremote/protocol';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { compiledOf, DefinitionKind, hasCompiled, sealDefinition } from './definition-brand.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import { compileFanout, type CompiledFanout, type FanoutOption } from './fanout-option.js';
import { asObjectSchema, toJsonSchema, withoutDefaultedRequired } from './json-schema.js';
import type { ToolContext } from './tool-context.js';
import type { ToolReturn } from './tool-result.js';
import { compileChecker, formatErrors, type SchemaChecker } from './validation.js';

/** MCP tool annotations: hints for clients, never trusted for security decisions. */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolIcon {
  src: string;
  mimeType?: string;
  sizes?: string[];
  theme?: 'light' | 'dark';
}

interface ToolSpecBase<I extends TSchema> {
  /** MCP tool name: 1-128 characters of `A-Za-z0-9_.-`. */
  name: string;
  title?: string;
  description?: string;
  /** TypeBox object schema of the arguments; defaults are filled in before the handler runs. */
  input: I;
  annotations?: ToolAnnotations;
  icons?: ToolIcon[];
  metadata?: ToolMetadata;
  /** Longest the node lets one call run; the node's `defaultTimeoutMs` when omitted. */
  timeoutMs?: number;
  /** What a node needs to run this tool (GPU, memory, a model, labels); gateways place calls accordingly. */
  requirements?: ToolRequirements;
  /**
   * Models this tool's backend serves on the node that registers it: the node advertises the union
   * of every registered tool's `models` and its own `models` option (matched by `requirements.model`
   * and `requirements.modelArgument`).
   */
  models?: readonly string[];
  /**
   * Lets calls run as durable tasks (MCP tasks: the client gets a task id at once and polls it; the
   * outcome survives the client, the gateway replica and a restart of the gateway that took the call).
   */
  task?: TaskOption;
}

/** How a tool runs as a task. */
export interface TaskOption {
  /** `optional`: a task when the client declares tasks, a plain call otherwise; `required`: a task only. */
  support: 'optional' | 'required';
  /**
   * `immediately` (the default): the client is answered with the task as soon as the node takes the
   * call. `manually`: the call stays synchronous (input is asked for with 2026-07-28 `input_required`
   * rounds) until the handler calls `ctx.startTask()` (or finishes).
   */
  start?: 'immediately' | 'manually';
}

export interface StructuredToolSpec<I extends TSchema, O extends TSchema> extends ToolSpecBase<I> {
  /** TypeBox object schema of the result: the node validates it and sends it as `structuredContent`. */
  output: O;
  handler: (args: Static<I>, ctx: ToolContext) => Static<O> | Promise<Static<O>>;
  /** Split calls into chunks run in parallel across the nodes serving the tool, and merge the results. */
  fanout?: FanoutOption<Static<I>, Static<O>>;
}

export interface UnstructuredToolSpec<I extends TSchema> extends ToolSpecBase<I> {
  output?: undefined;
  handler: (args: Static<I>, ctx: ToolContext) => ToolReturn | Promise<ToolReturn>;
  /** Split calls into chunks run in parallel across the nodes serving the tool, and merge the results. */
  fanout?: FanoutOption<Static<I>, Record<string, unknown>>;
}

/** A tool ready to register on a ComputeNode. Build it with `defineTool`. */
export interface ToolDefinition {
  readonly kind: 'tool';
  readonly name: string;
  /** What the node advertises: MCP tool fields with plain JSON Schema 2020-12 objects. */
  readonly descriptor: ToolDescriptor;
}

/** The pieces the node runs per call, prepared once at definition. */
export interface CompiledTool {
  readonly name: string;
  readonly timeoutMs: number | undefined;
  readonly input: SchemaChecker;
  readonly output: SchemaChecker | undefined;
  readonly handler: (args: unknown, ctx: ToolContext) => unknown;
  readonly fanout: CompiledFanout | undefined;
  readonly models: readonly string[];
  /** Undefined for a tool that never runs as a task. */
  readonly task: Required<TaskOption> | undefined;
}

// Checked at definition so a bad field fails here, not as a rejected advert in every gateway.
const descriptorValidator = Compile(ToolDescriptor);

function invalid(name: string, reason: string, cause?: unknown): NodeSdkError {
  return new NodeSdkError(NodeSdkErrorCode.InvalidTool, `tool ${JSON.stringify(name)}: ${reason}`, { cause });
}

function objectSchema(name: string, schema: TSchema, what: string): Record<string, unknown> {
  try {
    return asObjectSchema(toJsonSchema(schema), what);
  } catch (cause) {
    throw invalid(name, (cause as Error).message, cause);
  }
}

const UNSTRUCTURED_MERGERS = new Set(['concat', 'first', 'last']);

function fanoutOf(
  name: string,
  option: FanoutOption<unknown, unknown>,
  input: TSchema,
  structured: boolean,
): CompiledFanout {
  let compiled: CompiledFanout;
  try {
    compiled = compileFanout(name, option);
  } catch (cause) {
    throw invalid(name, (cause as Error).message, cause);
  }
  const { split, merge } = compiled.descriptor;
  if (!structured && merge.kind === 'fields') throw invalid(name, 'fanout.merge { fields } needs an output schema');
  if (!structured && merge.kind === 'builtin' && !UNSTRUCTURED_MERGERS.has(merge.merger)) {
    throw invalid(
      name,
      `fanout.merge ${JSON.stringify(merge.merger)} needs an output schema (without one: concat, first, last)`,
    );
  }
  if (split.kind === 'array') {
    const properties = (input as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
    const property = properties[split.argument];
    if (property?.type !== 'array')
      throw invalid(
        name,
        `fanout.split.argument ${JSON.stringify(split.argument)} is not an array property of the input schema`,
      );
  }
  return compiled;
}

function taskOf(name: string, option: TaskOption | undefined): Required<TaskOption> | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null || (option.support !== 'optional' && option.support !== 'required'))
    throw invalid(name, 'task.support must be "optional" or "required"');
  const start = option.start ?? 'immediately';
  if (start !== 'immediately' && start !== 'manually')
    throw invalid(name, 'task.start must be "immediately" or "manually"');
  return Object.freeze({ support: option.support, start });
}

export function defineTool<I extends TSchema, O extends TSchema>(spec: StructuredToolSpec<I, O>): ToolDefinition;
export function defineTool<I extends TSchema>(spec: UnstructuredToolSpec<I>): ToolDefinition;
export function defineTool(spec: StructuredToolSpec<TSchema, TSchema> | UnstructuredToolSpec<TSchema>): ToolDefinition {
  const { name } = spec;
  if (typeof name !== 'string' || !isValidToolName(name)) {
    throw new NodeSdkError(
      NodeSdkErrorCode.InvalidToolName,
      `invalid tool name ${JSON.stringify(name)}: use 1-128 characters of A-Z a-z 0-9 _ . - (no spaces or slashes)`,
    );
  }
  if (typeof spec.handler !== 'function') throw invalid(name, 'handler must be a function');
  if (
    spec.models !== undefined &&
    !(Array.isArray(spec.models) && spec.models.every((m) => typeof m === 'string' && m !== ''))
  ) {
    throw invalid(name, 'models must be an array of non-empty strings');
  }
  if (spec.timeoutMs !== undefined && !(Number.isInteger(spec.timeoutMs) && spec.timeoutMs >= 1)) {
    throw invalid(name, `timeoutMs must be a positive integer, got ${String(spec.timeoutMs)}`);
  }
  const task = taskOf(name, spec.task);
  const fanout =
    spec.fanout === undefined
      ? undefined
      : fanoutOf(name, spec.fanout as FanoutOption<unknown, unknown>, spec.input, spec.output !== undefined);
  const descriptor: ToolDescriptor = {
    name,
    ...(spec.title === undefined ? {} : { title: spec.title }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    inputSchema: withoutDefaultedRequired(objectSchema(name, spec.input, 'input schema')),
    ...(spec.output === undefined ? {} : { outputSchema: objectSchema(name, spec.output, 'output schema') }),
    ...(spec.annotations === undefined ? {} : { annotations: { ...spec.annotations } }),
    ...(spec.icons === undefined ? {} : { icons: spec.icons.map((icon) => ({ ...icon })) }),
    ...(spec.metadata === undefined ? {} : { metadata: { ...spec.metadata } }),
    ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
    ...(spec.requirements === undefined ? {} : { requirements: structuredClone(spec.requirements) }),
    ...(fanout === undefined ? {} : { fanout: fanout.descriptor }),
    ...(task === undefined ? {} : { execution: { taskSupport: task.support } }),
  };
  if (!descriptorValidator.Check(descriptor)) {
    throw invalid(name, `invalid definition (${formatErrors(descriptorValidator.Errors(descriptor))})`);
  }
  const tool: CompiledTool = {
    name,
    timeoutMs: spec.timeoutMs,
    input: compileChecker(spec.input),
    output: spec.output === undefined ? undefined : compileChecker(spec.output),
    handler: spec.handler as (args: unknown, ctx: ToolContext) => unknown,
    fanout,
    models: Object.freeze([...(spec.models ?? [])]),
    task,
  };
  return sealDefinition(
    { kind: DefinitionKind.Tool, name, descriptor: Object.freeze(descriptor) },
    DefinitionKind.Tool,
    tool,
  );
}

/** True for a definition made by `defineTool` (how a loader tells tools from other exports). */
export function isToolDefinition(value: unknown): value is ToolDefinition {
  return hasCompiled(value, DefinitionKind.Tool);
}

export function compiledTool(definition: ToolDefinition): CompiledTool {
  const compiled = compiledOf<CompiledTool>(definition, DefinitionKind.Tool);
  if (compiled === undefined) {
    const name = (definition as { name?: unknown } | undefined)?.name;
    throw invalid(String(name), 'not a tool definition: build tools with defineTool()');
  }
  return compiled;
}
