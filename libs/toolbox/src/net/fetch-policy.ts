import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Host names that always mean this machine or a cloud's instance metadata, refused by name before
 * any lookup: `localhost` and its subdomains (RFC 6761: they resolve to loopback whatever DNS says,
 * and some resolvers answer them without asking), and the metadata services' well-known names.
 * Their addresses are refused after resolution anyway; the names make the answer independent of
 * the resolver (`localhost.` is not in every /etc/hosts).
 */
const FORBIDDEN_NAMES = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

/** How one request hop may go out. */
export type HopRoute =
  /** The operator allow-listed this host (and port): connect wherever it resolves. */
  | { readonly kind: 'listed' }
  /** Connect only to addresses that are public unicast, or allow-listed (`addressAllowed`). */
  | { readonly kind: 'filtered' }
  | { readonly kind: 'refused'; readonly reason: string };

interface HostEntry {
  readonly host: string;
  /** undefined: any port. */
  readonly port: string | undefined;
  /** `*.example.com`: the subdomains of `host`, not `host` itself. */
  readonly subdomains: boolean;
}

/** Lower case, no trailing dots, IPv6 without brackets: the form hosts are compared in. */
export function canonicalHost(hostname: string): string {
  const lower = hostname.toLowerCase().replace(/\.+$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

function defaultPort(url: URL): string {
  return url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * IPv6 outside 2000::/3 (the only block IANA hands out as global unicast) is never public, whatever
 * ipaddr.js calls it: it reports the deprecated IPv4-compatible `::7f00:1` (= ::127.0.0.1) and
 * other unassigned space as `unicast`.
 */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * What the operator allows caller-supplied URLs to reach (EASYREMOTE_FETCH_ALLOW_HOSTS). Every
 * other destination must resolve to public unicast addresses only: ipaddr.js classifies each
 * address, and anything but `unicast` (loopback, private, carrier-grade NAT, link-local with the
 * metadata address, unique-local, multicast, unspecified, broadcast, reserved, IPv4-mapped,
 * 6to4, NAT64, Teredo, ...) is refused. The check runs on the very addresses the socket connects to
 * (guarded-lookup.ts), so DNS cannot answer differently between check and connect.
 *
 * Entries: `host`, `host:port`, `*.domain`, `[v6]:port` match the URL's host (after the URL parser
 * normalised it: `127.1` and `0x7f000001` are `127.0.0.1`); an IP address or CIDR without a port
 * (`10.0.0.0/8`, `fd00::/8`) matches the address a name resolves to, and IP literals in URLs.
 */
export class FetchPolicy {
  readonly #hosts: readonly HostEntry[];
  readonly #addresses: readonly Cidr[];

  private constructor(hosts: HostEntry[], addresses: Cidr[]) {
    this.#hosts = hosts;
    this.#addresses = addresses;
  }

  static readonly none = new FetchPolicy([], []);

  /** Parses the allow-list; a bad entry is reported through `problem` and skipped. */
  static parse(entries: readonly string[], problem: (message: string) => void = () => {}): FetchPolicy {
    const hosts: HostEntry[] = [];
    const addresses: Cidr[] = [];
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry.includes('/')) {
        try {
          addresses.push(ipaddr.parseCIDR(entry));
        } catch {
          problem(`${JSON.stringify(raw)} is not a CIDR block such as 10.0.0.0/8`);
        }
        continue;
      }
      if (isIP(canonicalHost(entry)) !== 0) {
        const address = ipaddr.process(canonicalHost(entry));
        addresses.push([address, address.kind() === 'ipv4' ? 32 : 128]);
        continue;
      }
      const wildcard = entry.startsWith('*.');
      let url: URL;
      try {
        url = new URL(`http://${wildcard ? entry.slice(2) : entry}`);
      } catch {
        problem(`${JSON.stringify(raw)} is not a host, host:port, *.domain, IP address or CIDR block`);
        continue;
      }
      if (url.pathname !== '/' || url.username !== '' || url.search !== '' || url.hash !== '') {
        problem(`${JSON.stringify(raw)} is not a host, host:port, *.domain, IP address or CIDR block`);
        continue;
      }
      hosts.push({
        host: canonicalHost(url.hostname),
        port: url.port === '' ? undefined : url.port,
        subdomains: wildcard,
      });
    }
    return new FetchPolicy(hosts, addresses);
  }

  /** How a request to `url` may go out. Only http(s) goes out at all. */
  route(url: URL): HopRoute {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { kind: 'refused', reason: `${url.protocol} URLs are not fetched` };
    const host = canonicalHost(url.hostname);
    const port = defaultPort(url);
    for (const entry of this.#hosts) {
      if (entry.port !== undefined && entry.port !== port) continue;
      if (entry.subdomains ? host.endsWith(`.${entry.host}`) : host === entry.host) return { kind: 'listed' };
    }
    if (FORBIDDEN_NAMES.has(host) || host.endsWith('.localhost')) {
      return { kind: 'refused', reason: `${host} names this machine or a cloud metadata service` };
    }
    return { kind: 'filtered' };
  }

  /** Whether a socket may connect to this resolved (or literal) address. */
  addressAllowed(address: string): boolean {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.parse(address);
    } catch {
      return false;
    }
    // An allow-listed 10.0.0.0/8 also covers ::ffff:10.1.2.3; the classification below does not
    // unwrap, so a mapped address that is not allow-listed is refused whatever it maps to.
    const plain =
      parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
        ? (parsed as ipaddr.IPv6).toIPv4Address()
        : parsed;
    for (const [range, bits] of this.#addresses) {
      if (range.kind() === plain.kind() && plain.match(range, bits)) return true;
    }
    if (parsed.range() !== 'unicast') return false;
    return parsed.kind() === 'ipv4' || parsed.match(GLOBAL_UNICAST_V6);
  }
}
