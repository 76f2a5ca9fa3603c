import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolboxErrorCode } from '../errors.js';
import { FetchPolicy } from './fetch-policy.js';
import { guardedGet, type GuardedGetOptions } from './guarded-get.js';

/**
 * A resolver standing in for DNS (there is none here): names map to answers, which may change per
 * call (a rebinding server). Records every name asked.
 */
function resolver(answers: Record<string, string[] | (() => string[])>): LookupFunction & { asked: string[] } {
  const asked: string[] = [];
  const lookup = ((
    hostname: string,
    options: { all?: boolean },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    asked.push(hostname);
    const entry = answers[hostname];
    const list = typeof entry === 'function' ? entry() : entry;
    if (list === undefined)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    const addresses = list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all === true) return callback(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  }) as LookupFunction & { asked: string[] };
  lookup.asked = asked;
  return lookup;
}

interface Target {
  server: Server;
  port: number;
  hits: string[];
}

async function listen(
  host: string,
  port: number,
  handler: (path: string, respond: (status: number, headers: Record<string, string>, body?: string) => void) => void,
): Promise<Target> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    handler(request.url ?? '', (status, headers, body) => response.writeHead(status, headers).end(body));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return { server, port: (server.address() as { port: number }).port, hits };
}

const close = (target: Target | undefined) =>
  new Promise((resolve) => (target ? target.server.close(resolve) : resolve(undefined)));

async function outcome(url: string, options: Partial<GuardedGetOptions> = {}): Promise<string> {
  try {
    const response = await guardedGet(url, {
      policy: FetchPolicy.none,
      signal: AbortSignal.timeout(5_000),
      lookup: resolver({}),
      ...options,
    });
    let text = '';
    for await (const part of response.body) text += Buffer.from(part).toString();
    response.close();
    return `${response.status} ${text}`;
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
}

describe('guardedGet refuses the operator network', () => {
  let victim: Target;
  let open: Target;
  const allowVictim = () => FetchPolicy.parse([`127.0.0.1:${victim.port}`]);

  beforeAll(async () => {
    victim = await listen('127.0.0.1', 0, (_path, respond) =>
      respond(200, { 'content-type': 'text/plain' }, 'internal secret'),
    );
    // An allow-listed server that redirects wherever it is told.
    open = await listen('127.0.0.1', 0, (path, respond) => {
      const to = new URL(path, 'http://x').searchParams.get('to');
      if (to !== null) respond(302, { location: to });
      else if (path === '/loop') respond(307, { location: '/loop' });
      else respond(200, {}, 'public data');
    });
  });
  afterAll(async () => {
    await close(victim);
    await close(open);
  });

  it('refuses every spelling of loopback, private, link-local, multicast and metadata addresses, before connecting', async () => {
    const p = victim.port;
    const spellings = [
      `http://127.0.0.1:${p}/`,
      `http://127.1:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://0x7f.0.0.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://017700000001:${p}/`,
      `http://127.000.000.001:${p}/`,
      `http://[::1]:${p}/`,
      `http://[0:0:0:0:0:0:0:1]:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      `http://[::127.0.0.1]:${p}/`,
      `http://[64:ff9b::7f00:1]:${p}/`,
      `http://[2002:7f00:1::]:${p}/`,
      `http://localhost:${p}/`,
      `http://localhost.:${p}/`,
      `http://LOCALHOST:${p}/`,
      `http://api.localhost:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://0:${p}/`,
      `http://[::]:${p}/`,
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://100.100.100.200/latest/meta-data/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[fe80::1]/',
      'http://[fc00::1]/',
      'http://224.0.0.1/',
      'http://[ff02::1]/',
      'http://255.255.255.255/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/',
      'http://instance-data/latest/',
      `https://127.0.0.1:${p}/`,
    ];
    const lookup = resolver({});
    for (const url of spellings)
      expect([url, await outcome(url, { lookup })]).toEqual([url, ToolboxErrorCode.UrlForbidden]);
    // Refused on the name or the literal address: nothing was resolved, nothing connected.
    expect(lookup.asked).toEqual([]);
    expect(victim.hits).toEqual([]);
  });

  it('refuses a public-looking name that resolves to loopback or any other internal address', async () => {
    const lookup = resolver({
      'data.example.com': ['127.0.0.1'],
      'mapped.example.com': ['::ffff:127.0.0.1'],
      'v6.example.com': ['::1'],
      'metadata.example.com': ['169.254.169.254'],
      // One bad answer among good ones refuses the host: the socket may pick any of them.
      'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
    });
    for (const host of [
      'data.example.com',
      'mapped.example.com',
      'v6.example.com',
      'metadata.example.com',
      'mixed.example.com',
    ]) {
      expect([host, await outcome(`http://${host}:${victim.port}/`, { lookup })]).toEqual([
        host,
        ToolboxErrorCode.UrlForbidden,
      ]);
    }
    expect(victim.hits).toEqual([]);
  });

  it('fetches allow-listed hosts, by host:port or by a name the operator trusts', async () => {
    expect(await outcome(`http://127.0.0.1:${victim.port}/`, { policy: allowVictim() })).toBe('200 internal secret');
    const lookup = resolver({ 'data.internal': ['127.0.0.1'] });
    expect(
      await outcome(`http://data.internal:${victim.port}/`, { policy: FetchPolicy.parse(['data.internal']), lookup }),
    ).toBe('200 internal secret');
    expect(
      await outcome(`http://a.data.internal:${victim.port}/`, {
        policy: FetchPolicy.parse(['*.data.internal']),
        lookup: resolver({ 'a.data.internal': ['127.0.0.1'] }),
      }),
    ).toBe('200 internal secret');
    // The port is part of an entry that names one.
    expect(await outcome(`http://127.0.0.1:${open.port}/`, { policy: allowVictim() })).toBe(
      ToolboxErrorCode.UrlForbidden,
    );
    victim.hits.length = 0;
  });

  it('checks every redirect hop: an allow-listed host cannot send the fetch to loopback', async () => {
    const policy = FetchPolicy.parse([`127.0.0.1:${open.port}`]);
    const via = (to: string) => `http://127.0.0.1:${open.port}/?to=${encodeURIComponent(to)}`;
    for (const to of [
      `http://127.0.0.1:${victim.port}/`,
      `http://localhost:${victim.port}/`,
      `http://[::1]:${victim.port}/`,
      `http://0x7f000001:${victim.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
    ]) {
      expect([to, await outcome(via(to), { policy })]).toEqual([to, ToolboxErrorCode.UrlForbidden]);
    }
    expect(victim.hits).toEqual([]);
    // A redirect that stays on the allowed host is followed; an endless one stops.
    expect(await outcome(via('/plain'), { policy })).toBe('200 public data');
    expect(await outcome(`http://127.0.0.1:${open.port}/loop`, { policy })).toBe('TOO_MANY_REDIRECTS');
  });

  it('connects to the address it checked: a rebinding resolver cannot switch to loopback after the check', async () => {
    // Two servers on one port: 127.0.0.2 is allow-listed (an internal range the operator trusts),
    // 127.0.0.1 is not. The resolver answers 127.0.0.2 once, then 127.0.0.1 for ever.
    const trusted = await listen('127.0.0.2', 0, (_path, respond) => respond(200, {}, 'trusted'));
    const hidden = await listen('127.0.0.1', trusted.port, (_path, respond) => respond(200, {}, 'hidden'));
    try {
      let calls = 0;
      const lookup = resolver({ 'rebind.example.com': () => (++calls === 1 ? ['127.0.0.2'] : ['127.0.0.1']) });
      const policy = FetchPolicy.parse(['127.0.0.2/32']);
      const url = `http://rebind.example.com:${trusted.port}/`;
      expect(await outcome(url, { policy, lookup })).toBe('200 trusted');
      expect(await outcome(url, { policy, lookup })).toBe(ToolboxErrorCode.UrlForbidden);
      // One lookup per connection, and the connection went where that lookup said.
      expect(lookup.asked).toEqual(['rebind.example.com', 'rebind.example.com']);
      expect(hidden.hits).toEqual([]);
    } finally {
      await close(trusted);
      await close(hidden);
    }
  });
});
