import type { TSchema } from 'typebox';

/**
 * A TypeBox schema as a plain JSON Schema 2020-12 object: TypeBox 1.x marks its own bookkeeping with
 * `~`-prefixed and symbol keys, which must not reach MCP clients, and functions or undefined values
 * cannot be serialised. Defaults and `const`s are JSON already, so a structural copy is enough.
 */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  const copy = strip(schema);
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new TypeError('a tool schema must be a JSON Schema object');
  }
  return copy as Record<string, unknown>;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('~') || child === undefined || typeof child === 'function') continue;
    out[key] = strip(child);
  }
  return out;
}

/**
 * MCP requires `type: "object"` at the top of input and output schemas. Composite object schemas
 * (an intersection is `allOf`) carry no `type`, so it is added; any other type is a definition error.
 */
export function asObjectSchema(schema: Record<string, unknown>, what: string): Record<string, unknown> {
  if (schema.type === undefined) return { type: 'object', ...schema };
  if (schema.type !== 'object') {
    throw new TypeError(
      `${what} must describe an object (MCP requires type "object"), got type ${JSON.stringify(schema.type)}`,
    );
  }
  return schema;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keywords whose value is one subschema, or a list of them, that an input may be checked against. */
const SUBSCHEMA_KEYS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'] as const;
const SUBSCHEMA_LIST_KEYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;

/**
 * The input schema as advertised: a property whose schema declares a `default` is left out of its
 * object's `required`, at every depth. The node fills the default before it validates, so such a
 * property is optional in practice, and the advert must say so (issue 13: clients were told to
 * send what they could omit). `required` is dropped when it becomes empty. Returns a copy.
 */
export function withoutDefaultedRequired(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  if (properties) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([key, child]) => [
        key,
        isObject(child) ? withoutDefaultedRequired(child) : child,
      ]),
    );
  }
  if (Array.isArray(schema.required) && properties) {
    const required = schema.required.filter(
      (key) => !(typeof key === 'string' && isObject(properties[key]) && 'default' in properties[key]),
    );
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  for (const key of SUBSCHEMA_KEYS) {
    if (isObject(schema[key])) out[key] = withoutDefaultedRequired(schema[key]);
  }
  for (const key of SUBSCHEMA_LIST_KEYS) {
    const list = schema[key];
    if (Array.isArray(list))
      out[key] = list.map((child) => (isObject(child) ? withoutDefaultedRequired(child) : child));
  }
  for (const key of ['$defs', 'patternProperties'] as const) {
    const map = schema[key];
    if (isObject(map))
      out[key] = Object.fromEntries(
        Object.entries(map).map(([name, child]) => [name, isObject(child) ? withoutDefaultedRequired(child) : child]),
      );
  }
  return out;
}
