import type { AccessPolicy } from '@easyremote/auth';
import { parseResourceReference } from '@easyremote/protocol';

/**
 * Cheap pre-check before parsing: long enough, and an `e` after optional white space. `\s` is the
 * same set String.prototype.trim removes, which parseResourceReference (and so every node) uses.
 */
const MAY_BE_REFERENCE = /^\s*[eE]/;

function mayBeReference(text: string): boolean {
  return text.length >= 'easyremote:'.length && MAY_BE_REFERENCE.test(text);
}

/**
 * The first `easyremote:` resource named anywhere in a tool's arguments (any string value, at any
 * depth) that the caller may not read, in its canonical spelling; undefined when there is none.
 * Nodes check the same URIs themselves (`ctx.mayRead`), but a tool of someone else's may not, and
 * the gateway is where every call passes: here a key limited to
 * `resources:read:easyremote://data/public-*` cannot name `easyremote://data/%70rivate-1` to any
 * tool. The URI is canonicalised exactly as nodes do it (@easyremote/protocol).
 */
export function unreadableResourceIn(access: AccessPolicy, args: unknown): string | undefined {
  if (access.admin) return undefined;
  // Iterative: the input limits bound the depth, but a recursion per level still costs a frame.
  const pending: unknown[] = [args];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (!mayBeReference(value)) continue;
      const reference = parseResourceReference(value);
      if (reference !== undefined && !access.mayReadResource(reference.uri)) return reference.uri;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) pending.push((value as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

/** A URI as it may appear in a `WWW-Authenticate` value: printable ASCII, no quote or backslash (the rest percent-encoded). */
export function headerSafe(uri: string): string {
  return uri.replace(/[^\x21-\x7e]|["\\]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
