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
    throw new TypeError(`${what} must describe an object (MCP requires type "object"), got type ${JSON.stringify(schema.type)}`);
  }
  return schema;
}
