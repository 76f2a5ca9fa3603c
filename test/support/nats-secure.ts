import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './processes.js';

export interface TestCerts {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl. */
export function generateCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'easyremote-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=easyremote-test-ca',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server-key.pem',
    '-out',
    'server.csr',
  );
  writeFileSync(
    join(dir, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
}

/** A committed template without its comment lines. */
function template(name: string): string {
  return readFileSync(join(REPO_ROOT, 'nats/secure', name), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
}

const quoted = (subjects: readonly string[]) => subjects.map((subject) => JSON.stringify(subject)).join(', ');

/**
 * One node's user block rendered from the committed template (plaintext password: tests only). Its tool
 * subjects default to every tool (`tools.*`); pass `natsToolSubjects(grant)` to pin it to its grant.
 */
export function nodeUser(nodeId: string, password: string, toolSubjects: readonly string[] = ['tools.*']): string {
  return template('node-user.conf.tmpl')
    .replaceAll('TOOL_SUBJECTS', quoted(toolSubjects))
    .replaceAll('NODE_ID', nodeId)
    .replaceAll('PASSWORD_HASH', password);
}

/** The hub's user for one edge site's leaf server, rendered from the committed template. */
export function leafUser(site: string, password: string, edgeNodeId: string, toolSubjects: readonly string[]): string {
  return template('leaf-user.conf.tmpl')
    .replaceAll('TOOL_SUBJECTS', quoted(toolSubjects))
    .replaceAll('EDGE_NODE_ID', edgeNodeId)
    .replaceAll('SITE', site)
    .replaceAll('PASSWORD_HASH', password);
}

/** The server.conf settings as config text for startNats (absolute cert paths, generated users). */
export function secureServerConfig(certs: TestCerts, users: string[], leafPort: number, leafPassword: string): string {
  const tls = `tls { cert_file: ${JSON.stringify(certs.cert)}, key_file: ${JSON.stringify(certs.key)}, ca_file: ${JSON.stringify(certs.ca)}, timeout: 2 }`;
  const leafAuth = `authorization { user: leaf, password: ${JSON.stringify(leafPassword)} }`;
  return [
    tls,
    `leafnodes { host: 127.0.0.1, port: ${leafPort}, ${tls}, ${leafAuth} }`,
    `authorization { users = [\n${users.join('\n')}\n] }`,
  ].join('\n');
}

/**
 * server.conf as config text with leaf servers authenticating against `users` (their site's leaf
 * user, with its permissions) instead of one leafnodes password. Start it with jetstreamDomain 'hub'.
 */
export function secureHubConfig(certs: TestCerts, users: string[], leafPort: number): string {
  const tls = `tls { cert_file: ${JSON.stringify(certs.cert)}, key_file: ${JSON.stringify(certs.key)}, ca_file: ${JSON.stringify(certs.ca)}, timeout: 2 }`;
  return [
    tls,
    `leafnodes { host: 127.0.0.1, port: ${leafPort}, ${tls} }`,
    `authorization { users = [\n${users.join('\n')}\n] }`,
  ].join('\n');
}
