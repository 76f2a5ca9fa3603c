import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bundle = pathToFileURL(join(dist, 'bundle/')).href;
const repoModule = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));

/**
 * In a fresh process: shareBundledPackages(dir), then a module in `from` imports each specifier;
 * returns where each resolved (a later resolve hook sees the shared hook's answer).
 */
function resolvedFrom(
  dir: string,
  from: string,
  specifiers: string[],
  kind: 'import' | 'require' = 'import',
): { installed: boolean; urls: string[] } {
  const probe = join(from, `probe-${process.pid}-${Date.now()}.${kind === 'import' ? 'mjs' : 'cjs'}`);
  writeFileSync(
    probe,
    specifiers
      .map((s) => (kind === 'import' ? `await import(${JSON.stringify(s)});` : `require(${JSON.stringify(s)});`))
      .join('\n'),
  );
  const script = `
    import { registerHooks } from 'node:module';
    const { shareBundledPackages } = await import(${JSON.stringify(pathToFileURL(join(dist, 'shared-packages.js')).href)});
    const installed = shareBundledPackages(new URL(${JSON.stringify(dir)}));
    const urls = [];
    const wanted = new Set(${JSON.stringify(specifiers)});
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); if (wanted.has(specifier)) urls.push(r.url); return r; } });
    await import(${JSON.stringify(pathToFileURL(probe).href)});
    process.stdout.write(JSON.stringify({ installed, urls }));
  `;
  try {
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  } finally {
    rmSync(probe, { force: true });
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'er-shared-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('shareBundledPackages', () => {
  it('sends a module’s imports of the bundled packages (same version) to the bundle’s facades', () => {
    const { installed, urls } = resolvedFrom(bundle, repoModule, [
      '@easyremote/node-sdk',
      'typebox',
      'typebox/compile',
    ]);
    expect(installed).toBe(true);
    expect(urls).toEqual([
      `${bundle}shared-easyremote-node-sdk.js`,
      `${bundle}shared-typebox.js`,
      `${bundle}shared-typebox-compile.js`,
    ]);
  });

  it('gives a module with no copy installed the bundled one, imported or required', () => {
    expect(resolvedFrom(bundle, scratch, ['typebox']).urls).toEqual([`${bundle}shared-typebox.js`]);
    expect(resolvedFrom(bundle, scratch, ['typebox'], 'require').urls).toEqual([`${bundle}shared-typebox.js`]);
  });

  it('leaves a module that installed another version with its own copy', () => {
    const project = join(scratch, 'pinned');
    const pkg = join(project, 'node_modules', 'typebox');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'typebox', version: '0.0.1', type: 'module', exports: { '.': './index.js' } }),
    );
    writeFileSync(join(pkg, 'index.js'), 'export const Type = {};\n');
    const { urls } = resolvedFrom(bundle, project, ['typebox']);
    expect(urls).toEqual([pathToFileURL(join(pkg, 'index.js')).href]);
  });

  it('installs nothing where there is no bundle manifest (running unbundled)', () => {
    const { installed, urls } = resolvedFrom(pathToFileURL(join(dist, 'commands/')).href, repoModule, ['typebox']);
    expect(installed).toBe(false);
    expect(urls[0]).toContain('/node_modules/typebox/');
  });
});
