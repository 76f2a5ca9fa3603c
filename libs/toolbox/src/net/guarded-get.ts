import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { canonicalHost, type FetchPolicy } from './fetch-policy.js';

export interface GuardedGetOptions {
  readonly policy: FetchPolicy;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** The resolver (dns.lookup); tests pass their own, since there is no DNS to ask here. */
  readonly lookup?: LookupFunction | undefined;
  /** Redirects followed, each hop checked like the first (default 5). */
  readonly maxRedirects?: number;
}

export interface GuardedResponse {
  readonly status: number;
  /** The URL that answered, after redirects. */
  readonly url: string;
  header(name: string): string | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  /** Ends the exchange (the rest of the body is dropped). */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function forbidden(url: URL, reason: string): ToolError {
  return new ToolError(
    ToolboxErrorCode.UrlForbidden,
    `refused to fetch ${url.href}: ${reason} (the operator can allow hosts with EASYREMOTE_FETCH_ALLOW_HOSTS)`,
  );
}

/**
 * Wraps the resolver so that the addresses a socket is about to connect to are the addresses
 * checked: one lookup per connection, every answer judged, the first bad one refuses the hop. A
 * separate "resolve, check, then connect" would ask DNS twice, and a rebinding server could answer
 * a public address to the check and 127.0.0.1 to the connect.
 */
function guardedLookup(base: LookupFunction, policy: FetchPolicy, url: URL): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (error, answer) => {
      if (error) return callback(error, '');
      const addresses: LookupAddress[] = Array.isArray(answer) ? answer : [{ address: answer, family: isIP(answer) }];
      const bad = addresses.find(({ address }) => !policy.addressAllowed(address));
      if (bad !== undefined || addresses.length === 0) {
        const reason =
          bad === undefined
            ? `${hostname} resolves to no address`
            : `${hostname} resolves to ${bad.address}, which is not a public address`;
        return callback(forbidden(url, reason), '');
      }
      if (options.all === true) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function send(url: URL, lookup: LookupFunction, options: GuardedGetOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // agent: false, so no pooled socket (connected under another hop's check) is ever reused.
    const outgoing = request(
      url,
      { method: 'GET', headers: { ...options.headers }, signal: options.signal, lookup, agent: false },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * GET of a caller-supplied http(s) URL that cannot reach the operator's network: each hop (the
 * first and every redirect, up to `maxRedirects`) is judged by the policy on its host name and on
 * the addresses its socket connects to. Refusals throw ToolError TOOLBOX_ERR_URL_FORBIDDEN; other
 * failures throw the transport's error (with its `code`: ECONNREFUSED, ENOTFOUND, ...).
 */
export async function guardedGet(start: string, options: GuardedGetOptions): Promise<GuardedResponse> {
  const maxRedirects = options.maxRedirects ?? 5;
  const base = options.lookup ?? (dnsLookup as LookupFunction);
  let url = new URL(start);
  for (let hop = 0; ; hop += 1) {
    const route = options.policy.route(url);
    if (route.kind === 'refused') throw forbidden(url, route.reason);
    const host = canonicalHost(url.hostname);
    // An IP literal is connected to without a lookup, so it is judged here.
    if (route.kind === 'filtered' && isIP(host) !== 0 && !options.policy.addressAllowed(host))
      throw forbidden(url, `${host} is not a public address`);
    const response = await send(
      url,
      route.kind === 'listed' ? base : guardedLookup(base, options.policy, url),
      options,
    );
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined) {
      const answered = url.href;
      return {
        status: response.statusCode ?? 0,
        url: answered,
        header: (name) => {
          const value = response.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : value;
        },
        body: response,
        close: () => response.destroy(),
      };
    }
    response.destroy();
    if (hop >= maxRedirects)
      throw Object.assign(new Error(`more than ${maxRedirects} redirects`), { code: 'TOO_MANY_REDIRECTS' });
    url = new URL(location, url);
  }
}
