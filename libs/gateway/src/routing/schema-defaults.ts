function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `value` with the schema's `default`s filled in where properties are missing, the way the
 * node fills them before calling the handler. The gateway checks this copy, so a required property
 * that has a default is not refused for being omitted; the original arguments travel unchanged.
 */
export function withDefaults(schema: unknown, value: unknown): unknown {
  if (!isPlainObject(schema) || !isPlainObject(value) || !isPlainObject(schema.properties)) return value;
  let result: Record<string, unknown> | undefined;
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!isPlainObject(property)) continue;
    const current = value[key];
    const next =
      current === undefined && 'default' in property
        ? structuredClone(property.default)
        : withDefaults(property, current);
    if (next !== current) {
      result ??= { ...value };
      result[key] = next;
    }
  }
  return result ?? value;
}
