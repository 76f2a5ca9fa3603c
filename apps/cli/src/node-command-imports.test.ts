import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Every module URL a fresh process resolves while importing `entry` (a sync resolve hook records them). */
function modulesLoadedBy(entry: string): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
    await import(${JSON.stringify(entry)});
    process.stdout.write(JSON.stringify(seen));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('easyremote node', () => {
  it('loads nothing of the gateway, the toolbox or the OpenTelemetry SDK when tracing is off', () => {
    const loaded = modulesLoadedBy(new URL('commands/node.js', `file://${dist}`).href);
    expect(loaded.some((url) => url.includes('/libs/node-sdk/'))).toBe(true);
    const unwanted = loaded.filter((url) => /\/libs\/(gateway|toolbox)\/|@opentelemetry\/sdk-|\/fastify\//.test(url));
    expect(unwanted).toEqual([]);
  });

  it('from the bundle, loads its own chunks and no module from node_modules or the libraries', () => {
    const loaded = modulesLoadedBy(new URL('bundle/node-command.js', `file://${dist}`).href);
    const files = loaded.filter((url) => url.startsWith('file:'));
    expect(files.some((url) => url.endsWith('/bundle/node-command.js'))).toBe(true);
    const outside = files.filter((url) => !url.includes('/apps/cli/dist/bundle/'));
    expect(outside).toEqual([]);
    expect(files.some((url) => url.endsWith('/gateway-command.js'))).toBe(false);
  });
});
