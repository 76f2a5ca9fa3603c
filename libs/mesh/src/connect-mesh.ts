import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/nats-core';
import { silentLogger, type Logger } from '@easyremote/protocol';
import { MeshError, MeshErrorCode } from './errors.js';
import { logConnectionStatus } from './status-logger.js';

export interface ConnectMeshOptions {
  /** One URL or several (`nats://host:4222`); the client picks among them and reconnects across them. */
  servers: string | string[];
  /** Client name shown in the server's monitoring pages. */
  name?: string;
  logger?: Logger;
  /** Attempts at the initial connection before giving up. Default 10. */
  maxStartupAttempts?: number;
  /** Wait after the first failed attempt; doubles per attempt, capped at 2 s. Default 100 ms. */
  startupBackoffMs?: number;
  /** Handshake timeout of one connection attempt. Default 5000 ms. */
  connectTimeoutMs?: number;
  user?: string;
  pass?: string;
  token?: string;
  /** A NATS credentials file (user JWT + nkey seed), as `nsc` writes them. */
  credsFile?: string;
  /** TLS: the CA that signed the server's certificate, and a client certificate for mTLS. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /**
   * Prefix of this client's reply inboxes (nats.js `inboxPrefix`). A compute node's NATS user may only
   * subscribe to `_INBOX_<nodeId>.>` (nats/secure), so its JetStream replies must land there.
   */
  inboxPrefix?: string;
  /** Client pings; a dead server is noticed after pingIntervalMs * maxPingOut. Default 5000 ms. */
  pingIntervalMs?: number;
  /** Unanswered pings before the connection counts as stale. Default 2. */
  maxPingOut?: number;
}

const MAX_BACKOFF_MS = 2_000;

function describeServers(servers: string | string[]): string {
  return Array.isArray(servers) ? servers.join(', ') : servers;
}

/** The most specific reason in an error chain: `ECONNREFUSED` beats "connection refused". */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Connects to the NATS mesh. The first connection is retried with backoff (processes usually start
 * together with, or before, their server); once connected the client reconnects forever, because a
 * gateway or node without NATS is useless and should recover by itself rather than exit.
 */
export async function connectMesh(options: ConnectMeshOptions): Promise<NatsConnection> {
  const logger = options.logger ?? silentLogger;
  const attempts = Math.max(1, options.maxStartupAttempts ?? 10);
  let backoff = Math.max(0, options.startupBackoffMs ?? 100);
  const servers = describeServers(options.servers);

  const connectionOptions: ConnectionOptions = {
    servers: options.servers,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    // The default 2-minute ping keeps a dead server's connection looking alive far too long.
    pingInterval: options.pingIntervalMs ?? 5_000,
    maxPingOut: options.maxPingOut ?? 2,
    timeout: options.connectTimeoutMs ?? 5_000,
  };
  if (options.name !== undefined) connectionOptions.name = options.name;
  if (options.user !== undefined) connectionOptions.user = options.user;
  if (options.pass !== undefined) connectionOptions.pass = options.pass;
  if (options.token !== undefined) connectionOptions.token = options.token;
  if (options.credsFile !== undefined)
    connectionOptions.authenticator = credsAuthenticator(readFileSync(options.credsFile));
  if (options.inboxPrefix !== undefined) connectionOptions.inboxPrefix = options.inboxPrefix;
  if (options.tls !== undefined) {
    const tls: Record<string, string> = {};
    if (options.tls.caFile) tls.caFile = options.tls.caFile;
    if (options.tls.certFile) tls.certFile = options.tls.certFile;
    if (options.tls.keyFile) tls.keyFile = options.tls.keyFile;
    connectionOptions.tls = tls;
  }

  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const nc = await connect(connectionOptions);
      logger.info({ server: nc.getServer(), attempt }, 'connected to NATS');
      logConnectionStatus(nc, logger);
      return nc;
    } catch (error) {
      lastError = error;
      // Bad credentials will not fix themselves: retrying only delays the real message.
      if ((error as { name?: unknown }).name === 'AuthorizationError') break;
      if (attempt === attempts) break;
      logger.warn(
        { servers, attempt, attempts, cause: describeCause(error), retryInMs: backoff },
        'NATS not reachable yet, retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(MAX_BACKOFF_MS, Math.max(1, backoff * 2));
    }
  }
  const isAuth = (lastError as { name?: unknown }).name === 'AuthorizationError';
  throw new MeshError(
    MeshErrorCode.ConnectFailed,
    isAuth
      ? `NATS at ${servers} refused the credentials: ${describeCause(lastError)}`
      : `could not reach NATS at ${servers} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describeCause(lastError)}`,
    { cause: lastError },
  );
}
