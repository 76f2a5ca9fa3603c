import { connectMesh, meshOptionsFromEnv } from '@easyremote/mesh';
import { announceMesh, resolveMesh } from './mesh-target.js';

/**
 * The connection of a one-shot command (keys, audit, data, grants). The server: `--nats`, NATS_URL, or
 * the running `easyremote dev` — never a server merely found on the default port (these commands
 * create streams and buckets); the first stderr line says which. The credentials: the same
 * NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY and NATS_INBOX_PREFIX
 * settings the gateway reads, so it reaches a TLS + user mesh exactly as the gateway does. Three
 * attempts: a command should fail fast, not wait for a server that is not there.
 */
export function connectCommand(
  command: string,
  options: { servers?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): ReturnType<typeof connectMesh> {
  const env = options.env ?? process.env;
  const target = resolveMesh(env, options.servers);
  announceMesh(command, target);
  return connectMesh(
    meshOptionsFromEnv(env, { name: `easyremote-${command}`, maxStartupAttempts: 3, servers: target.servers }),
  );
}
