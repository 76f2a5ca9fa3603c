/**
 * Tool-name globs of a node grant: the characters of a tool name plus `*` (any run of characters,
 * `.` included); everything else is literal. The same reading as the `tools:call:<glob>` scopes.
 */
export const TOOL_GLOB_PATTERN = /^[A-Za-z0-9_.*-]{1,128}$/;

export function isValidToolGlob(glob: string): boolean {
  return TOOL_GLOB_PATTERN.test(glob);
}

function toRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** A set of globs compiled once into one anchored expression. */
export class ToolGlobs {
  readonly globs: readonly string[];
  readonly #pattern: RegExp | undefined;

  constructor(globs: readonly string[]) {
    this.globs = Object.freeze([...globs]);
    this.#pattern = globs.length === 0 ? undefined : new RegExp(globs.map((glob) => toRegExp(glob).source).join('|'));
  }

  matches(tool: string): boolean {
    return this.#pattern?.test(tool) ?? false;
  }
}
