import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedNatsCoreVersion, PINNED_NATS_VERSION } from './wire-deviations.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function manifests(): Array<{ path: string; deps: Record<string, string> }> {
  const paths = ['package.json'];
  for (const group of ['apps', 'libs'])
    for (const name of readdirSync(join(root, group))) paths.push(join(group, name, 'package.json'));
  return paths.map((path) => {
    const manifest = JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, Record<string, string>>;
    return { path, deps: { ...manifest.dependencies, ...manifest.devDependencies } };
  });
}

// Contract: the wire deviations were checked against one nats.js; an upgrade must go through them.
describe('the nats.js version the wire deviations are pinned to', () => {
  it('is the one installed', () => {
    expect(installedNatsCoreVersion()).toBe(PINNED_NATS_VERSION);
  });

  it('is what every package asks for, exactly (no ranges)', () => {
    const asked: string[] = [];
    for (const { path, deps } of manifests())
      for (const [name, version] of Object.entries(deps))
        if (/^@nats-io\/(nats-core|transport-node|jetstream|kv|obj)$/.test(name))
          asked.push(`${path} ${name}@${version}`);
    expect(asked.length).toBeGreaterThan(5);
    expect(asked.filter((entry) => !entry.endsWith(`@${PINNED_NATS_VERSION}`))).toEqual([]);
  });
});
