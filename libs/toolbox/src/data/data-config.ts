import { isAbsolute, resolve } from 'node:path';
import type { EnvReader } from '../config/env-reader.js';
import { FetchPolicy } from '../net/fetch-policy.js';

/** What the operator sets for `parallel_data_processing` (env, read once at start). */
export interface DataConfig {
  /** Node paths are read only inside this directory (EASYREMOTE_DATA_DIR); unset: node paths refused. */
  readonly dataDir: string | undefined;
  /** Whether http(s) URLs are fetched (EASYREMOTE_DATA_ALLOW_URLS, default 1). */
  readonly allowUrls: boolean;
  /**
   * Where fetched URLs may lead: public addresses only, plus the hosts the operator allow-lists
   * (EASYREMOTE_FETCH_ALLOW_HOSTS, comma-separated; see net/fetch-policy.ts).
   */
  readonly fetchPolicy: FetchPolicy;
  /** Largest data set read (EASYREMOTE_DATA_MAX_BYTES, default 256 MiB). */
  readonly maxBytes: number;
  /** Per-request timeout of URL reads (EASYREMOTE_DATA_FETCH_TIMEOUT_MS, default 60 s). */
  readonly fetchTimeoutMs: number;
  /** Where `easyremote://data/<id>` is read from: the mesh's NATS (NATS_URL, comma-separated). */
  readonly natsServers: readonly string[] | undefined;
}

export function readDataConfig(env: EnvReader): DataConfig {
  const dataDir = env.string('EASYREMOTE_DATA_DIR');
  if (dataDir !== undefined && !isAbsolute(dataDir))
    env.problem('EASYREMOTE_DATA_DIR', `must be an absolute path, got ${JSON.stringify(dataDir)}`);
  return Object.freeze({
    dataDir: dataDir === undefined ? undefined : resolve(dataDir),
    allowUrls: env.flag('EASYREMOTE_DATA_ALLOW_URLS', true),
    fetchPolicy: FetchPolicy.parse(env.list('EASYREMOTE_FETCH_ALLOW_HOSTS') ?? [], (message) =>
      env.problem('EASYREMOTE_FETCH_ALLOW_HOSTS', message),
    ),
    maxBytes: env.bytes('EASYREMOTE_DATA_MAX_BYTES', 256 * 1024 ** 2),
    fetchTimeoutMs: env.integer('EASYREMOTE_DATA_FETCH_TIMEOUT_MS', 60_000, 100),
    natsServers: env.list('NATS_URL'),
  });
}
