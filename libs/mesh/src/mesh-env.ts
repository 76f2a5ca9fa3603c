import { existsSync } from 'node:fs';
import type { ConnectMeshOptions } from './connect-mesh.js';
import { MeshError, MeshErrorCode } from './errors.js';

/** The credential and TLS part of ConnectMeshOptions. */
export type NatsClientOptions = Pick<
  ConnectMeshOptions,
  'user' | 'pass' | 'token' | 'credsFile' | 'tls' | 'inboxPrefix'
>;

type Env = Readonly<Record<string, string | undefined>>;

/** The default when NATS_URL is not set: a local server, as `nats-server -c nats/dev.conf` runs it. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

function configError(message: string): MeshError {
  return new MeshError(MeshErrorCode.Config, message);
}

/**
 * How a process authenticates to NATS and checks its TLS certificate, from the variables the `nats`
 * CLI uses too: NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS (credentials file), NATS_CA,
 * NATS_CERT/NATS_KEY (client certificate) and NATS_INBOX_PREFIX. One reading for every process that
 * joins the mesh (gateway, node runner, every `easyremote` command). The caller passes the
 * environment; this library reads none. Fails with MESH_ERR_CONFIG naming the variable when a file
 * is missing or a pair is half set.
 */
export function natsClientOptionsFromEnv(env: Env): NatsClientOptions {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const file = (name: string) => {
    const path = value(name);
    if (path !== undefined && !existsSync(path)) throw configError(`${name}=${JSON.stringify(path)}: no such file`);
    return path;
  };
  const options: NatsClientOptions = {};
  const user = value('NATS_USER');
  const pass = value('NATS_PASSWORD');
  if ((user === undefined) !== (pass === undefined))
    throw configError('NATS_USER and NATS_PASSWORD go together: set both or neither');
  if (user !== undefined && pass !== undefined) Object.assign(options, { user, pass });
  const token = value('NATS_TOKEN');
  if (token !== undefined) options.token = token;
  const creds = file('NATS_CREDS');
  if (creds !== undefined) options.credsFile = creds;
  const caFile = file('NATS_CA');
  const certFile = file('NATS_CERT');
  const keyFile = file('NATS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw configError('NATS_CERT and NATS_KEY go together: set both or neither');
  if (caFile !== undefined || certFile !== undefined) {
    options.tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
  }
  const inboxPrefix = value('NATS_INBOX_PREFIX');
  if (inboxPrefix !== undefined) options.inboxPrefix = inboxPrefix;
  return options;
}

/** True when the options name NATS credentials (a node then needs its own inbox prefix). */
export function hasNatsCredentials(options: NatsClientOptions): boolean {
  return options.user !== undefined || options.credsFile !== undefined || options.token !== undefined;
}

/** NATS_URL (or `override`, e.g. a `--nats` flag) split into server URLs; the local default when unset. */
export function natsServersFromEnv(env: Env, override?: string): string[] {
  const servers = (override ?? env.NATS_URL ?? DEFAULT_NATS_URL)
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  if (servers.length === 0) throw configError('NATS_URL names no server');
  return servers;
}

/**
 * Everything connectMesh needs from the environment: the servers and the same credentials and TLS
 * settings the gateway uses, so a one-shot command reaches exactly the mesh the gateway reaches.
 */
export function meshOptionsFromEnv(
  env: Env,
  options: { name: string; servers?: string; maxStartupAttempts?: number },
): ConnectMeshOptions {
  return {
    servers: natsServersFromEnv(env, options.servers),
    name: options.name,
    ...(options.maxStartupAttempts !== undefined ? { maxStartupAttempts: options.maxStartupAttempts } : {}),
    ...natsClientOptionsFromEnv(env),
  };
}
