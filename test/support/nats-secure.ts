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
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=easyremote-test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server-key.pem', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.pem');
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
}

/** One node's user block rendered from the committed template (plaintext password: tests only). */
export function nodeUser(nodeId: string, password: string): string {
  const template = readFileSync(join(REPO_ROOT, 'nats/secure/node-user.conf.tmpl'), 'utf8');
  return template
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replaceAll('NODE_ID', nodeId)
    .replaceAll('PASSWORD_HASH', password);
}

/** The server.conf settings as config text for startNats (absolute cert paths, generated users). */
export function secureServerConfig(certs: TestCerts, users: string[], leafPort: number, leafPassword: string): string {
  const tls = `tls { cert_file: ${JSON.stringify(certs.cert)}, key_file: ${JSON.stringify(certs.key)}, ca_file: ${JSON.stringify(certs.ca)}, timeout: 2 }`;
  const leafAuth = `authorization { user: leaf, password: ${JSON.stringify(leafPassword)} }`;
  return [tls, `leafnodes { host: 127.0.0.1, port: ${leafPort}, ${tls}, ${leafAuth} }`, `authorization { users = [\n${users.join('\n')}\n] }`].join('\n');
}
