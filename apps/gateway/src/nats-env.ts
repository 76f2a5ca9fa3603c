import { existsSync } from 'node:fs';
import type { ConnectMeshOptions } from '@easyremote/mesh';
import { GatewayError, GatewayErrorCode } from './errors.js';

export type NatsClientOptions = Pick<ConnectMeshOptions, 'user' | 'pass' | 'token' | 'credsFile' | 'tls' | 'inboxPrefix'>;

/**
 * How a process authenticates to NATS and checks its TLS certificate, from the variables the `nats`
 * CLI uses too: NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS (credentials file), NATS_CA,
 * NATS_CERT/NATS_KEY (client certificate) and NATS_INBOX_PREFIX. Shared by the gateway and the node
 * runner; fails at start naming the variable when a file is missing or a pair is half set.
 */
export function natsClientOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): NatsClientOptions {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const file = (name: string) => {
    const path = value(name);
    if (path !== undefined && !existsSync(path)) throw new GatewayError(GatewayErrorCode.Config, `${name}=${JSON.stringify(path)}: no such file`);
    return path;
  };
  const options: NatsClientOptions = {};
  const user = value('NATS_USER');
  const pass = value('NATS_PASSWORD');
  if ((user === undefined) !== (pass === undefined)) throw new GatewayError(GatewayErrorCode.Config, 'NATS_USER and NATS_PASSWORD go together: set both or neither');
  if (user !== undefined && pass !== undefined) Object.assign(options, { user, pass });
  const token = value('NATS_TOKEN');
  if (token !== undefined) options.token = token;
  const creds = file('NATS_CREDS');
  if (creds !== undefined) options.credsFile = creds;
  const caFile = file('NATS_CA');
  const certFile = file('NATS_CERT');
  const keyFile = file('NATS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new GatewayError(GatewayErrorCode.Config, 'NATS_CERT and NATS_KEY go together: set both or neither');
  if (caFile !== undefined || certFile !== undefined) {
    options.tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
  }
  const inboxPrefix = value('NATS_INBOX_PREFIX');
  if (inboxPrefix !== undefined) options.inboxPrefix = inboxPrefix;
  return options;
}

/** True when the environment names NATS credentials (a node then needs its own inbox prefix). */
export function hasNatsCredentials(options: NatsClientOptions): boolean {
  return options.user !== undefined || options.credsFile !== undefined || options.token !== undefined;
}
