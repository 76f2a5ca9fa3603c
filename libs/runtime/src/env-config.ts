import type { TObject } from 'typebox';
import { Compile } from 'typebox/compile';

/** How an environment variable's text becomes a setting. */
export type EnvKind =
  /** The text as is. */
  | 'string'
  /** An integer (`-?\d+`); anything else stays text, so the schema names the problem. */
  | 'int'
  /** A non-negative decimal number. */
  | 'number'
  /** Comma-separated items, trimmed, empty ones dropped. */
  | 'list'
  /** Comma-separated `key=value` pairs. */
  | 'labels';

/** One setting: the variable that sets it, how its text is read, and its default text. */
export interface EnvVariable<K extends string = string> {
  readonly env: string;
  readonly key: K;
  readonly kind: EnvKind;
  /** The text used when the variable is unset; without one an unset variable leaves the setting out. */
  readonly fallback?: string;
  /** Reads text the kinds above do not cover (a byte size); throws an Error saying what is wrong. */
  readonly parse?: (raw: string) => unknown;
}

/** A configuration that failed its schema: `problems` names each bad variable with its value. */
export class ConfigError extends Error {
  readonly code: string;
  readonly problems: readonly string[];

  constructor(code: string, what: string, problems: readonly string[]) {
    super(`invalid ${what} configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.code = code;
    this.problems = problems;
  }
}

function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const [key, ...rest] = pair.split('=');
    if (key?.trim()) labels[key.trim()] = rest.join('=').trim();
  }
  return labels;
}

function convert(kind: EnvKind, raw: string): unknown {
  switch (kind) {
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case 'number':
      return /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'labels':
      return parseLabels(raw);
    case 'string':
      return raw;
  }
}

export interface EnvConfigSpec<T> {
  /** The settings' schema: every key of `variables` is one of its properties. */
  readonly schema: TObject;
  readonly variables: readonly EnvVariable<Extract<keyof T, string>>[];
  /** Names the configuration in the error (`gateway`, `node`). */
  readonly what: string;
  /** The stable code of the ConfigError (`GW_ERR_CONFIG`, `NODE_SDK_ERR_INVALID_OPTIONS`). */
  readonly code: string;
}

/**
 * A loader of one process's settings from environment variables: each variable read as its kind
 * says, checked against the schema once, returned frozen. Fails with a ConfigError naming every bad
 * variable and the value it had, so an operator fixes them all in one go. Overrides (command-line
 * flags) win over the environment and are checked the same way.
 */
export function envConfigLoader<T>(
  spec: EnvConfigSpec<T>,
): (env: Readonly<Record<string, string | undefined>>, overrides?: Partial<T>) => Readonly<T> {
  const validator = Compile(spec.schema);
  return (env, overrides = {}) => {
    const candidate: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const variable of spec.variables) {
      if (variable.key in overrides && overrides[variable.key] !== undefined) {
        candidate[variable.key] = overrides[variable.key];
        continue;
      }
      const raw = env[variable.env] ?? variable.fallback;
      if (raw === undefined) continue;
      try {
        candidate[variable.key] = variable.parse ? variable.parse(raw) : convert(variable.kind, raw);
      } catch (error) {
        problems.push(`${variable.env}=${JSON.stringify(raw)}: ${(error as Error).message}`);
      }
    }
    if (problems.length > 0 || !validator.Check(candidate)) {
      for (const error of validator.Check(candidate) ? [] : validator.Errors(candidate)) {
        const key = error.instancePath.split('/')[1] ?? '';
        const variable = spec.variables.find((entry) => entry.key === key);
        // What the operator wrote, quoted (whitespace shows); an override or a default, as read.
        const written = variable === undefined ? undefined : env[variable.env];
        problems.push(`${variable?.env ?? key}=${JSON.stringify(written ?? candidate[key])}: ${error.message}`);
      }
      throw new ConfigError(spec.code, spec.what, [...new Set(problems)]);
    }
    return Object.freeze(candidate as T);
  };
}
