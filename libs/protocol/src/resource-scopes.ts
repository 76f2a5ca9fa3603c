/**
 * Who may read which resource, decided the same way wherever a resource URI is met: the gateway's
 * resources/read and its scan of tool arguments, and a compute node's `ctx.mayRead(uri)`. It lives
 * here, not in @easyremote/auth, because compute nodes check it too and load nothing of auth.
 */

const SCHEME = 'easyremote:';

/** An `easyremote:` URI in its one canonical spelling, with its parts. */
export interface ResourceReference {
  /** `easyremote://<authority>/<path>`: scheme and authority lower case, both percent-decoded. */
  readonly uri: string;
  /** `data`, `compute`, ... */
  readonly authority: string;
  /** The rest after the authority's slash: a data set id, a node id. Case kept. */
  readonly path: string;
  /** false when the percent-encoding is malformed (`%zz`): `path` is then left as written. */
  readonly decoded: boolean;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses anything a reader could take for an `easyremote:` resource: surrounding white space,
 * any letter case in the scheme and authority (RFC 3986 makes both case-insensitive), any number of
 * slashes after the scheme, percent-encoding anywhere. `EASYREMOTE://DATA/%70rivate-1`,
 * ` easyremote:data/private-1` and `easyremote:///data/private-1` all come out as
 * `easyremote://data/private-1`. Anything else is undefined.
 */
export function parseResourceReference(value: string): ResourceReference | undefined {
  const text = value.trim();
  if (text.length < SCHEME.length || text.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined;
  const rest = text.slice(SCHEME.length).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  const rawAuthority = slash === -1 ? rest : rest.slice(0, slash);
  const rawPath = slash === -1 ? '' : rest.slice(slash + 1);
  const decodedAuthority = decode(rawAuthority);
  const decodedPath = decode(rawPath);
  const authority = (decodedAuthority ?? rawAuthority).toLowerCase();
  const path = decodedPath ?? rawPath;
  const decoded = decodedAuthority !== undefined && decodedPath !== undefined;
  return { uri: `${SCHEME}//${authority}${slash === -1 ? '' : `/${path}`}`, authority, path, decoded };
}

/** The canonical form of an `easyremote:` URI (see parseResourceReference); other URIs unchanged. */
export function canonicalResourceUri(uri: string): string {
  return parseResourceReference(uri)?.uri ?? uri;
}

const globCache = new Map<string, RegExp>();

/** A scope glob: `*` matches any run of characters, everything else is literal. */
export function scopeGlob(pattern: string): RegExp {
  let compiled = globCache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (globCache.size < 10_000) globCache.set(pattern, compiled);
  }
  return compiled;
}

/**
 * The `resources:read` part of a scope set: `admin` or `resources:read` read everything,
 * `resources:read:<glob>` what matches. An `easyremote:` URI is matched in its canonical spelling,
 * so no encoding or letter case of one resource escapes a glob written for it. Other URIs are
 * matched as written.
 */
export class ResourceReadScopes {
  readonly #all: boolean;
  readonly #patterns: readonly RegExp[];

  constructor(scopes: readonly string[]) {
    const patterns: RegExp[] = [];
    let all = false;
    for (const scope of scopes) {
      if (scope === 'admin' || scope === 'resources:read') all = true;
      else if (scope.startsWith('resources:read:')) patterns.push(scopeGlob(scope.slice('resources:read:'.length)));
    }
    this.#all = all;
    this.#patterns = patterns;
  }

  /** Whether these scopes read any resource at all. */
  get any(): boolean {
    return this.#all || this.#patterns.length > 0;
  }

  mayRead(uri: string): boolean {
    if (this.#all) return true;
    const canonical = canonicalResourceUri(uri);
    return this.#patterns.some((pattern) => pattern.test(canonical));
  }
}

const byScopes = new Map<string, ResourceReadScopes>();

/** One ResourceReadScopes per distinct scope list (nodes meet the same few on every call). */
export function resourceReadScopes(scopes: readonly string[]): ResourceReadScopes {
  const key = scopes.join('\n');
  let found = byScopes.get(key);
  if (!found) {
    found = new ResourceReadScopes(scopes);
    if (byScopes.size >= 1_000) byScopes.clear();
    byScopes.set(key, found);
  }
  return found;
}
