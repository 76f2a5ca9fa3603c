import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** Caps the message so a huge invalid array cannot produce a huge wire error. */
const MAX_LISTED_ERRORS = 8;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** A validator compiled once per tool schema; the node runs `check` on every call. */
export interface SchemaChecker {
  /** Fills schema defaults into `value` (which it may mutate), then validates it. */
  withDefaults(value: unknown): Checked<unknown>;
  /** Validates `value` as is. */
  check(value: unknown): Checked<unknown>;
}

/** "/text: must be string; /count: must be >= 1" — JSON pointer paths, `/` for the root. */
export function formatErrors(errors: readonly { instancePath: string; message: string }[]): string {
  const lines: string[] = [];
  for (const error of errors) {
    const line = `${error.instancePath || '/'}: ${error.message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  if (lines.length === 0) return 'value does not match the schema';
  const more = lines.length > MAX_LISTED_ERRORS ? `; and ${lines.length - MAX_LISTED_ERRORS} more` : '';
  return lines.slice(0, MAX_LISTED_ERRORS).join('; ') + more;
}

/**
 * Whether a `default` keyword appears anywhere in the schema (a property that happens to be named
 * `default` counts too: that only costs an unneeded pass). `$ref`s are followed by TypeBox itself,
 * so a schema with references is assumed to have defaults.
 */
export function declaresDefaults(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  if (Array.isArray(schema)) return schema.some(declaresDefaults);
  for (const key of Object.keys(schema)) {
    if (key === 'default' || key === '$ref') return true;
    if (declaresDefaults((schema as Record<string, unknown>)[key])) return true;
  }
  return false;
}

export function compileChecker(schema: TSchema): SchemaChecker {
  const validator = Compile(schema);
  const check = (value: unknown): Checked<unknown> =>
    validator.Check(value) ? { ok: true, value } : { ok: false, message: formatErrors(validator.Errors(value)) };
  // TypeBox's Default walks the whole value against the schema on every call; most tools declare no defaults.
  const withDefaults = declaresDefaults(schema) ? (value: unknown) => check(validator.Default(value)) : check;
  return { withDefaults, check };
}
