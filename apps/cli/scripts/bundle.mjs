/**
 * Bundles the long-running commands (`easyremote node`, `easyremote gateway`) into dist/bundle/
 * after `tsc -b` (ADR 0023). Node keeps every ES module it loads as a separate record with its own
 * source, and TypeBox alone is ~700 of them: loaded one by one, the libraries a small node needs
 * cost several times the memory and start-up time of the same code in a few files.
 *
 * A tools module imports `@easyremote/node-sdk` and `typebox` itself. So that it shares the
 * runtime's copies instead of loading a second set from node_modules, every such package gets a
 * facade entry (`shared-*.js`, re-exporting it from the bundle) and `manifest.json` names them with
 * the bundled version; the node command's resolve hook (src/shared-packages.ts) sends a module's
 * import of one of them to its facade when the installed version is the bundled one.
 *
 *   node apps/cli/scripts/bundle.mjs        (part of `npm run build`)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'rolldown';
import { installedVersion } from '../dist/shared-packages.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = join(dist, 'bundle');
const facades = join(dist, 'bundle-facades');
const require = createRequire(import.meta.url);

/** Packages (and subpaths) a tools module may import that the node runtime bundles. */
const SHARED = [
  '@easyremote/node-sdk',
  '@easyremote/protocol',
  'typebox',
  'typebox/compile',
  'typebox/error',
  'typebox/format',
  'typebox/guard',
  'typebox/schema',
  'typebox/system',
  'typebox/type',
  'typebox/value',
];

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

function facadeName(specifier) {
  return `shared-${specifier.replace(/^@/, '').replace(/\//g, '-')}`;
}

/**
 * npm nests a package a second time wherever versions conflict higher up (three copies of ajv 8 sit
 * under fastify's compilers and ajv-formats because eslint needs ajv 6 at the top): bundled as is,
 * each copy is its own code in memory. This sends every file of a package copy to the same file of
 * the first copy seen with the same name and version.
 */
function dedupePackages() {
  const firstRoot = new Map();
  const versionAt = new Map();
  const version = (root) => {
    if (!versionAt.has(root)) {
      try {
        versionAt.set(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
      } catch {
        versionAt.set(root, undefined);
      }
    }
    return versionAt.get(root);
  };
  return {
    name: 'dedupe-packages',
    async resolveId(source, importer, options) {
      if (importer === undefined || source.startsWith('\0')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved || resolved.external) return resolved;
      const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(resolved.id);
      if (!match) return resolved;
      const [, root, file] = match;
      const name = root.slice(root.lastIndexOf('/node_modules/') + '/node_modules/'.length);
      const key = `${name}@${version(root)}`;
      const first = firstRoot.get(key);
      if (first === undefined) {
        firstRoot.set(key, root);
        return resolved;
      }
      return first === root ? resolved : { ...resolved, id: `${first}/${file}` };
    },
  };
}

rmSync(out, { recursive: true, force: true });
rmSync(facades, { recursive: true, force: true });
mkdirSync(facades, { recursive: true });

const input = {
  'node-command': join(dist, 'commands', 'node.js'),
  'gateway-command': join(dist, 'commands', 'gateway.js'),
};
const manifest = {};
for (const specifier of SHARED) {
  const name = facadeName(specifier);
  const file = join(facades, `${name}.mjs`);
  // Every shared package is an ES module, so `export *` carries its names; the default needs its own line.
  const from = JSON.stringify(specifier);
  const withDefault = 'default' in (await import(specifier)) ? `export { default } from ${from};\n` : '';
  writeFileSync(file, `export * from ${from};\n${withDefault}`);
  input[name] = file;
  const pkg = packageName(specifier);
  const version = installedVersion(pathToFileURL(require.resolve(specifier)).href, pkg);
  if (version === undefined) throw new Error(`cannot find the package.json of ${pkg}`);
  manifest[specifier] = { facade: `${name}.js`, package: pkg, version };
}

await build({
  input,
  platform: 'node',
  plugins: [dedupePackages()],
  // The MCP SDK declares no `sideEffects`, so every module of its would be kept for its top-level
  // code; it has none that matters, and the gateway uses a few of its exports. Every other package
  // keeps what its package.json says.
  treeshake: { moduleSideEffects: [{ test: /node_modules\/@modelcontextprotocol\//, sideEffects: false }] },
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunk-[hash].js',
    // Whitespace and dead code go; names stay, so stack traces still name our functions. ASCII only,
    // no license comments: V8 keeps each module's source, and one non-ASCII character (a name in a
    // license comment is enough) stores all of it at two bytes per character. The bundle is a build
    // output next to node_modules, where every package keeps its licence.
    minify: {
      compress: true,
      mangle: false,
      codegen: { removeWhitespace: true, asciiOnly: true, legalComments: 'none' },
    },
  },
});
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
rmSync(facades, { recursive: true, force: true });
process.stdout.write(`bundled the node and gateway commands into ${out}\n`);
