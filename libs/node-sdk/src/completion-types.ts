import type { HandlerContext } from './tool-context.js';

/** A completer's context: the handler context plus the values of the other arguments already chosen. */
export interface CompletionContext extends HandlerContext {
  readonly arguments: Readonly<Record<string, string>>;
}

/**
 * Suggests values for one prompt argument or template variable from what the user typed so far.
 * The node sends at most 100 (with `total` and `hasMore` when there were more).
 */
export type Completer = (value: string, context: CompletionContext) => readonly string[] | Promise<readonly string[]>;

/** Completers by argument (prompt) or variable (resource template) name. */
export type Completers = Readonly<Record<string, Completer>>;

export function completerMap(
  complete: Completers | undefined,
  allowed: readonly string[],
  what: string,
): ReadonlyMap<string, Completer> {
  const map = new Map<string, Completer>();
  if (complete === undefined) return map;
  if (typeof complete !== 'object' || complete === null) throw new TypeError('complete must be an object of functions');
  for (const [name, completer] of Object.entries(complete)) {
    if (!allowed.includes(name))
      throw new TypeError(
        `complete names ${JSON.stringify(name)}, which is not one of its ${what} (${allowed.join(', ') || 'none'})`,
      );
    if (typeof completer !== 'function') throw new TypeError(`complete.${name} must be a function`);
    map.set(name, completer);
  }
  return map;
}
