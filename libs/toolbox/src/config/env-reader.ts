import { ToolboxError, ToolboxErrorCode } from '../errors.js';
import { parseByteSize } from './byte-size.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the toolbox's variables from one environment object, collecting every problem so that a bad
 * configuration is reported once, naming each bad key, instead of one key per restart.
 */
export class EnvReader {
  readonly #env: Env;
  readonly #problems: string[] = [];

  constructor(env: Env) {
    this.#env = env;
  }

  /** The trimmed value, or undefined when unset or blank. */
  string(key: string): string | undefined {
    const value = this.#env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** An http(s) URL without a trailing slash. */
  url(key: string): string | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      return url.href.replace(/\/+$/, '');
    } catch {
      this.problem(key, `must be an http(s) URL, got ${JSON.stringify(value)}`);
      return undefined;
    }
  }

  /** `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`. */
  flag(key: string, fallback: boolean): boolean {
    const value = this.string(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problem(key, `must be 1 or 0 (true/false), got ${JSON.stringify(value)}`);
    return fallback;
  }

  integer(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.string(key);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      this.problem(key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return number;
  }

  /** A size such as `512MB`; see parseByteSize. */
  bytes(key: string, fallback: number, min = 1): number {
    const value = this.string(key);
    if (value === undefined) return fallback;
    const bytes = parseByteSize(value);
    if (bytes === undefined || bytes < min) {
      this.problem(key, `must be a size such as 512MB or 2GiB (at least ${min} bytes), got ${JSON.stringify(value)}`);
      return fallback;
    }
    return bytes;
  }

  /** A comma-separated list, items trimmed, blanks dropped, duplicates removed. */
  list(key: string): string[] | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    return [
      ...new Set(
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ];
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.string(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problem(key, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  }

  problem(key: string, message: string): void {
    this.#problems.push(`${key} ${message}`);
  }

  /** Throws TOOLBOX_ERR_INVALID_CONFIG listing every problem found. */
  finish(): void {
    if (this.#problems.length > 0) {
      throw new ToolboxError(
        ToolboxErrorCode.InvalidConfig,
        `invalid toolbox configuration:\n  ${this.#problems.join('\n  ')}`,
      );
    }
  }
}
