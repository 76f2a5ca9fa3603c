import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { runCli } from './processes.js';

/** Runs a one-shot CLI command (`easyremote keys ...`) and resolves with its stdout lines. */
export async function cliOutput(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const app = runCli(args, { LOG_LEVEL: 'warn', ...env });
  const [code] = (await once(app.child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`easyremote ${args.join(' ')} exited ${code}:\n${app.lines.join('\n')}`);
  // The first stderr line names the server (tested in test/e2e/local-mesh.e2e.test.ts); callers want the output.
  return app.lines.filter((line) => !/^easyremote [a-z]+: (NATS|gateway) /.test(line)).join('\n');
}

/** `easyremote keys create --json` → the key and its id. */
export async function createKey(natsUrl: string, name: string, scopes: string[]): Promise<{ key: string; id: string }> {
  const out = await cliOutput(['keys', 'create', '--name', name, '--scopes', scopes.join(','), '--json'], {
    NATS_URL: natsUrl,
  });
  return JSON.parse(out.split('\n').find((line) => line.startsWith('{')) ?? '{}') as { key: string; id: string };
}

/** A local OAuth issuer: serves its JWKS over HTTP and signs real RS256 access tokens. */
export interface TestIssuer extends AsyncDisposable {
  readonly issuer: string;
  readonly jwksUrl: string;
  sign(claims: { sub: string; aud: string; scope?: string; expiresIn?: string | number }): Promise<string>;
  /** A token signed by a key the issuer does not publish. */
  signWithForeignKey(claims: { sub: string; aud: string; scope?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const signWith = (
    key: CryptoKey,
    claims: { sub: string; aud: string; scope?: string; expiresIn?: string | number },
  ) =>
    new SignJWT(claims.scope === undefined ? {} : { scope: claims.scope })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(issuer)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(
        typeof claims.expiresIn === 'number' && claims.expiresIn < 0 ? Math.floor(Date.now() / 1000) - 3600 : undefined,
      )
      .setExpirationTime(claims.expiresIn ?? '5m')
      .sign(key);
  const handle: TestIssuer = {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    sign: (claims) => signWith(privateKey, claims),
    signWithForeignKey: (claims) => signWith(foreign.privateKey, claims),
    async close() {
      server.close();
      server.closeAllConnections();
    },
    async [Symbol.asyncDispose]() {
      await handle.close();
    },
  };
  return handle;
}

export const MODERN_VERSION = '2026-07-28';
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'security-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** One stateless 2026-07-28 request over raw HTTP, so status codes and headers can be checked. */
export async function modernRequest(
  mcpUrl: string,
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: Record<string, unknown> | undefined }> {
  const name = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_VERSION,
      'mcp-method': method,
      ...(name ? { 'mcp-name': name } : {}),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: MODERN_META } }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A fetch that adds `Authorization: Bearer <token>` (for SDK clients). */
export function fetchWithToken(token: string): typeof fetch {
  return (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), authorization: `Bearer ${token}` },
    });
}

/**
 * Announces a body of `body`'s length but sends only its first kilobyte, and resolves with the status
 * the server answers from the headers alone (413 for an oversized Content-Length) — sending the whole
 * body would race the server closing the connection (EPIPE/ECONNRESET).
 */
export function postStatus(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error('no answer to the announced body within 10 s'));
    }, 10_000);
    const request = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (response) => {
        clearTimeout(timer);
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      },
    );
    request.on('error', () => undefined);
    request.write(body.slice(0, 1024));
  });
}
