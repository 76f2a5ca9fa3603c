import { connectMesh, meshOptionsFromEnv } from '@easyremote/mesh';

/**
 * The connection of a one-shot command (keys, audit, data, grants): NATS_URL (or --nats) and the same
 * NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY and NATS_INBOX_PREFIX
 * settings the gateway reads, so it reaches a TLS + user mesh exactly as the gateway does. Three
 * attempts: a command should fail fast, not wait for a server that is not there.
 */
export function connectCommand(name: string, options: { servers?: string; env?: Readonly<Record<string, string | undefined>> } = {}): ReturnType<typeof connectMesh> {
  return connectMesh(meshOptionsFromEnv(options.env ?? process.env, { name, maxStartupAttempts: 3, ...(options.servers !== undefined ? { servers: options.servers } : {}) }));
}
