import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every command checks the running Node first: under an older Node the bins exit 1 with one line
// naming the required version and how to get it, before loading anything that needs a newer one.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BINS = [
  { name: 'easyremote', file: 'apps/cli/bin/easyremote.js', args: ['keys', 'list'] },
  { name: 'easyremote-mcp', file: 'apps/bridge/bin/easyremote-mcp.js', args: [] },
  { name: 'easyremote-gateway', file: 'apps/gateway/bin/easyremote-gateway.js', args: [] },
  { name: 'easyremote-toolbox', file: 'apps/toolbox/bin/easyremote-toolbox.js', args: [] },
];
const engines = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;

/** A Node older than the engines floor on this machine (Debian's is 20), if any. */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

const old = oldNode();
if (old === undefined)
  console.warn('skipping the old-Node run: no Node older than 22.18 at /usr/bin/node or /usr/local/bin/node');

describe('the Node version check in every bin', () => {
  it('states the same floor as package.json engines', () => {
    expect(engines).toBe('>=22.18');
    for (const bin of BINS) expect(readFileSync(`${ROOT}${bin.file}`, 'utf8')).toContain('>= 22.18');
  });

  it.runIf(old !== undefined)('under an older Node: exit 1 and one line naming the version and how to get it', () => {
    for (const bin of BINS) {
      const run = spawnSync(old!, [`${ROOT}${bin.file}`, ...bin.args], { encoding: 'utf8', timeout: 10_000 });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${bin.name}: needs Node\\.js >= 22\\.18 \\(this is v\\d+\\.\\d+\\.\\d+\\); get Node 24 from https://nodejs\\.org`,
        ),
      );
    }
  });

  it('under this Node the bins run', () => {
    const run = spawnSync(process.execPath, [`${ROOT}apps/cli/bin/easyremote.js`, '--help'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: easyremote <command>');
  });
});
