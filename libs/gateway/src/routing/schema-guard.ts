import type { ToolDescriptor } from '@easyremote/protocol';
import { RE2JS } from 're2js';
import safeRegex from 'safe-regex2';

/**
 * Bounds on what a node may advertise as a tool schema. The gateway compiles every advertised schema
 * and runs it on every call, so a schema is untrusted input: its size bounds the compile, and its
 * regular expressions must not backtrack (see ADR 0013).
 */
export const SCHEMA_LIMITS = {
  /** Serialised size of one input or output schema. */
  maxBytes: 256 * 1024,
  /** Subschemas in one schema. */
  maxSubschemas: 5_000,
  /** Nesting of subschemas. */
  maxDepth: 32,
  /** Characters in one regular expression. */
  maxPatternLength: 1_000,
} as const;

type Json = Record<string, unknown>;

/** Keywords whose value is one subschema, or a list of them. */
const SUBSCHEMA = [
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  'prefixItems',
];
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a tool's advertised schemas are refused, or undefined when the gateway can run them safely. */
export function refuseToolSchemas(tool: ToolDescriptor): string | undefined {
  const input = refuseSchema(tool.inputSchema, 'inputSchema');
  if (input !== undefined) return input;
  return tool.outputSchema === undefined ? undefined : refuseSchema(tool.outputSchema, 'outputSchema');
}

function refuseSchema(schema: unknown, name: string): string | undefined {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(schema) ?? '');
  } catch {
    return `${name} is not serialisable JSON`;
  }
  if (bytes > SCHEMA_LIMITS.maxBytes) return `${name} is ${bytes} bytes, over the ${SCHEMA_LIMITS.maxBytes}-byte limit`;
  let subschemas = 0;
  const visit = (node: unknown, depth: number): string | undefined => {
    if (!isObject(node)) return undefined;
    subschemas += 1;
    if (subschemas > SCHEMA_LIMITS.maxSubschemas)
      return `${name} has more than ${SCHEMA_LIMITS.maxSubschemas} subschemas`;
    if (depth > SCHEMA_LIMITS.maxDepth) return `${name} nests subschemas deeper than ${SCHEMA_LIMITS.maxDepth}`;
    if (typeof node.pattern === 'string') {
      const problem = refusePattern(node.pattern, false);
      if (problem) return `${name}: pattern ${JSON.stringify(node.pattern.slice(0, 80))} ${problem}`;
    }
    if (isObject(node.patternProperties)) {
      for (const key of Object.keys(node.patternProperties)) {
        const problem = refusePattern(key, true);
        if (problem) return `${name}: patternProperties key ${JSON.stringify(key.slice(0, 80))} ${problem}`;
      }
    }
    for (const child of children(node)) {
      const problem = visit(child, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(schema, 0);
}

function* children(node: Json): Generator<unknown> {
  for (const keyword of SUBSCHEMA) {
    const value = node[keyword];
    if (Array.isArray(value)) yield* value;
    else if (value !== undefined) yield value;
  }
  for (const keyword of SUBSCHEMA_MAPS) {
    const value = node[keyword];
    if (isObject(value)) yield* Object.values(value);
  }
}

/**
 * `pattern`s run on RE2 (linear time), so they only need to compile there. `patternProperties` keys
 * are matched by the validator's native engine, so they must also have no nested quantifiers.
 */
function refusePattern(pattern: string, native: boolean): string | undefined {
  if (pattern.length > SCHEMA_LIMITS.maxPatternLength)
    return `is longer than ${SCHEMA_LIMITS.maxPatternLength} characters`;
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    return `cannot run on a linear-time engine (${error instanceof Error ? error.message : String(error)})`;
  }
  if (native && !safeRegex(pattern)) return 'may backtrack catastrophically (nested quantifiers)';
  return undefined;
}

/**
 * A copy of `schema` whose `pattern`s are RegExp objects that match with RE2 instead of backtracking:
 * the validator calls `.test()` on them, so a hostile pattern costs linear time per value.
 */
export function withLinearPatterns(schema: Record<string, unknown>): Record<string, unknown> {
  const convert = (node: unknown): unknown => {
    if (!isObject(node)) return node;
    const copy: Json = { ...node };
    if (typeof node.pattern === 'string') copy.pattern = linearRegExp(node.pattern);
    for (const keyword of SUBSCHEMA) {
      const value = node[keyword];
      if (Array.isArray(value)) copy[keyword] = value.map(convert);
      else if (value !== undefined) copy[keyword] = convert(value);
    }
    for (const keyword of SUBSCHEMA_MAPS) {
      const value = node[keyword];
      if (isObject(value))
        copy[keyword] = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, convert(child)]));
    }
    return copy;
  };
  return convert(schema) as Record<string, unknown>;
}

function linearRegExp(pattern: string): RegExp {
  const re2 = RE2JS.compile(pattern);
  // A RegExp (the validator accepts only those, or strings) whose test() is RE2's search.
  const regexp = new RegExp('(?:)');
  Object.defineProperty(regexp, 'test', { value: (value: string) => re2.matcher(value).find() });
  Object.defineProperty(regexp, 'source', { value: pattern });
  return regexp;
}
