import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientErrorCode } from '@easyremote/client';
import { AuthErrorCode } from '@easyremote/auth';
import { BridgeErrorCode } from '@easyremote/bridge';
import { GatewayErrorCode } from '@easyremote/gateway';
import { MeshErrorCode } from '@easyremote/mesh';
import { LauncherErrorCode } from '@easyremote/nats-launcher';
import { NodeSdkErrorCode } from '@easyremote/node-sdk';
import { ProtocolErrorCode, WireErrorCode } from '@easyremote/protocol';
import { RegistryErrorCode } from '@easyremote/registry';
import { ToolboxErrorCode } from '@easyremote/toolbox';

// docs/errors.md must list exactly the codes of every package's error catalogue, each under its
// package's heading, and no code may belong to two catalogues. Imported through the public entry
// points, so a catalogue a package stops exporting fails here too.

interface Catalogue {
  pkg: string;
  name: string;
  prefix: string;
  codes: Readonly<Record<string, string>>;
}

const CATALOGUES: readonly Catalogue[] = [
  { pkg: '@easyremote/protocol', name: 'WireErrorCode', prefix: 'NODE_ERR_', codes: WireErrorCode },
  { pkg: '@easyremote/protocol', name: 'ProtocolErrorCode', prefix: 'PROTO_ERR_', codes: ProtocolErrorCode },
  { pkg: '@easyremote/nats-launcher', name: 'LauncherErrorCode', prefix: 'LAUNCH_ERR_', codes: LauncherErrorCode },
  { pkg: '@easyremote/mesh', name: 'MeshErrorCode', prefix: 'MESH_ERR_', codes: MeshErrorCode },
  { pkg: '@easyremote/registry', name: 'RegistryErrorCode', prefix: 'REG_ERR_', codes: RegistryErrorCode },
  { pkg: '@easyremote/node-sdk', name: 'NodeSdkErrorCode', prefix: 'NODE_SDK_ERR_', codes: NodeSdkErrorCode },
  { pkg: '@easyremote/toolbox', name: 'ToolboxErrorCode', prefix: 'TOOLBOX_ERR_', codes: ToolboxErrorCode },
  { pkg: '@easyremote/client', name: 'ClientErrorCode', prefix: 'REMOTE_ERR_', codes: ClientErrorCode },
  { pkg: '@easyremote/auth', name: 'AuthErrorCode', prefix: 'AUTH_ERR_', codes: AuthErrorCode },
  { pkg: '@easyremote/gateway', name: 'GatewayErrorCode', prefix: 'GW_ERR_', codes: GatewayErrorCode },
  { pkg: '@easyremote/bridge', name: 'BridgeErrorCode', prefix: 'BRIDGE_ERR_', codes: BridgeErrorCode },
];

const root = new URL('../../', import.meta.url);
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_ERR_[A-Z0-9_]+$/;

interface Listing {
  code: string;
  pkg: string | undefined;
  line: number;
}

/** Backticked codes in the first cell of each table row, with the package heading they sit under. */
function documentedCodes(markdown: string): Listing[] {
  const listings: Listing[] = [];
  let pkg: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    if (text.startsWith('## ')) pkg = /@easyremote\/[a-z-]+/.exec(text)?.[0];
    if (!text.startsWith('|')) return;
    const firstCell = text.split('|')[1] ?? '';
    for (const [, code] of firstCell.matchAll(/`([^`]+)`/g)) {
      if (code !== undefined && CODE.test(code)) listings.push({ code, pkg, line: index + 1 });
    }
  });
  return listings;
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe('error catalogues', () => {
  it('use their package prefix and never give two names one code', () => {
    for (const { name, prefix, codes } of CATALOGUES) {
      const values = Object.values(codes);
      expect(new Set(values).size, `${name} reuses a code`).toBe(values.length);
      for (const code of values)
        expect(code, `${name}: ${code} lacks the prefix ${prefix}`).toMatch(new RegExp(`^${prefix}[A-Z0-9_]+$`));
    }
  });

  it('never share a code', () => {
    const owners = new Map<string, string[]>();
    const add = (code: string, owner: string) => owners.set(code, [...(owners.get(code) ?? []), owner]);
    for (const { name, codes } of CATALOGUES) for (const code of Object.values(codes)) add(code, name);
    const shared = [...owners]
      .filter(([, names]) => names.length > 1)
      .map(([code, names]) => `${code}: ${names.join(', ')}`);
    expect(shared).toEqual([]);
  });
});

describe('docs/errors.md', () => {
  const listings = documentedCodes(readFileSync(new URL('docs/errors.md', root), 'utf8'));

  it('lists every code once, each under a package heading', () => {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const { code, pkg, line } of listings) {
      if (pkg === undefined) problems.push(`line ${line}: ${code} is not under a "## @easyremote/<package>" heading`);
      const first = seen.get(code);
      if (first !== undefined) problems.push(`line ${line}: ${code} is listed again (first on line ${first})`);
      else seen.set(code, line);
    }
    expect(problems).toEqual([]);
  });

  it('lists exactly the codes of the catalogues, nothing more, nothing less', () => {
    const expected = new Set<string>();
    for (const { codes } of CATALOGUES) for (const code of Object.values(codes)) expected.add(code);
    const documented = new Set(listings.map((listing) => listing.code));
    expect(sorted([...expected].filter((code) => !documented.has(code))), 'in a catalogue but not documented').toEqual(
      [],
    );
    expect(sorted([...documented].filter((code) => !expected.has(code))), 'documented but in no catalogue').toEqual([]);
  });

  it("lists each code under its own package's heading", () => {
    for (const pkg of new Set(CATALOGUES.map((c) => c.pkg))) {
      const expected = CATALOGUES.filter((c) => c.pkg === pkg).flatMap((c) => Object.values(c.codes));
      const documented = listings.filter((listing) => listing.pkg === pkg).map((listing) => listing.code);
      expect(sorted(new Set(documented)), `codes under "## ${pkg}"`).toEqual(sorted(expected));
    }
  });
});
