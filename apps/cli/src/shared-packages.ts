import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One package the bundle carries, as scripts/bundle.mjs writes it into manifest.json. */
interface SharedPackage {
  /** The facade module in the bundle directory that re-exports the bundled copy. */
  facade: string;
  package: string;
  version: string;
}

/**
 * The version of `name` installed where `url` (a resolved module) lies, or undefined; cached per
 * name and directory. scripts/bundle.mjs reads the bundled versions with it too.
 */
export function installedVersion(
  url: string,
  name: string,
  cache: Map<string, string | undefined> = new Map(),
): string | undefined {
  let dir = dirname(fileURLToPath(url));
  const seen: string[] = [];
  const key = (at: string) => `${name}\0${at}`;
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    if (cache.has(key(dir))) break;
    seen.push(dir);
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === name) {
        const version = typeof manifest.version === 'string' ? manifest.version : undefined;
        for (const at of seen) cache.set(key(at), version);
        return version;
      }
    } catch {
      // no package.json at this level
    }
  }
  const found = cache.get(key(dir));
  for (const at of seen) cache.set(key(at), found);
  return found;
}

/**
 * When the node command runs from the bundle (dist/bundle, ADR 0023), a tools module's imports of
 * the packages the bundle carries (`@easyremote/node-sdk`, `@easyremote/protocol`, `typebox` and
 * its subpaths) resolve to the bundle's copies, so the module shares the runtime's definitions and
 * a small node loads each library once. Only when the installed copy is the bundled version (a
 * module that pins another version keeps its own), or when the module has none installed at all.
 * Returns false, installing nothing, when `bundleDir` holds no manifest (running unbundled).
 */
export function shareBundledPackages(bundleDir: URL): boolean {
  let manifest: Readonly<Record<string, SharedPackage>>;
  try {
    manifest = JSON.parse(readFileSync(new URL('manifest.json', bundleDir), 'utf8')) as Record<string, SharedPackage>;
  } catch {
    return false;
  }
  const versions = new Map<string, string | undefined>();
  const facadeOf = (shared: SharedPackage) => ({
    url: new URL(shared.facade, bundleDir).href,
    format: 'module' as const,
    shortCircuit: true,
  });
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const shared = Object.hasOwn(manifest, specifier) ? manifest[specifier] : undefined;
      if (shared === undefined) return nextResolve(specifier, context);
      let resolved: ReturnType<typeof nextResolve>;
      try {
        resolved = nextResolve(specifier, context);
      } catch (error) {
        // ERR_MODULE_NOT_FOUND from an import, MODULE_NOT_FOUND from a require().
        const code = (error as { code?: unknown }).code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return facadeOf(shared);
        throw error;
      }
      if (!resolved.url.startsWith('file:')) return resolved;
      return installedVersion(resolved.url, shared.package, versions) === shared.version ? facadeOf(shared) : resolved;
    },
  });
  return true;
}
