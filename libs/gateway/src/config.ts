import { envConfigLoader, type EnvVariable } from '@easyremote/runtime';
import { Type, type Static } from 'typebox';
import { GatewayError, GatewayErrorCode } from './errors.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Millis = Type.Integer({ minimum: 1 });

/** Every setting the gateway reads, with its environment variable name and default. */
export const GatewayConfigSchema = Type.Object({
  natsUrl: Type.String({ minLength: 1 }),
  host: Type.String({ minLength: 1 }),
  port: Port,
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
  ),
  callTimeoutMs: Millis,
  maxBodyBytes: Type.Integer({ minimum: 1024 }),
  natsConnectAttempts: Type.Integer({ minimum: 1 }),
  /** Shared secret for 2025-era session ids; when empty the replicas agree on one through NATS KV. */
  sessionSecret: Type.String(),
  sessionMaxAgeMs: Millis,
  /** Host header allow-list (DNS-rebinding protection); empty = loopback names when bound to loopback, any otherwise. */
  allowedHosts: Type.Array(Type.String({ minLength: 1 })),
  /** Origin allow-list (hostnames); requests without Origin are allowed. Empty = loopback origins only. */
  allowedOrigins: Type.Array(Type.String({ minLength: 1 })),
  /** Authentication (API keys, OAuth): on unless explicitly off, and off only on a loopback bind. */
  auth: Type.Union([Type.Literal('on'), Type.Literal('off')]),
  /** KV bucket of API key records (hashes only). */
  keysBucket: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
  /** This gateway's public base URL (the OAuth resource is `<url>/mcp`); empty = the listen address. */
  publicUrl: Type.String(),
  /** OAuth issuer whose JWT access tokens are accepted; empty = API keys only. */
  oauthIssuer: Type.String(),
  /** The issuer's JWKS URL; empty = `<issuer>/.well-known/jwks.json`. */
  oauthJwksUrl: Type.String(),
  /** Calls per rate window per principal across all replicas; 0 = no limit. */
  rateLimit: Type.Integer({ minimum: 0 }),
  /** Calls per rate window per principal on one tool across all replicas; 0 = no limit. */
  rateLimitPerTool: Type.Integer({ minimum: 0 }),
  rateWindowMs: Millis,
  /** Write every tool execution to the audit stream. */
  audit: Type.Union([Type.Literal('on'), Type.Literal('off')]),
  /** Deepest JSON nesting accepted in a request body. */
  maxJsonDepth: Type.Integer({ minimum: 2, maximum: 1000 }),
  /** Longest string accepted in a request body. */
  maxStringLength: Type.Integer({ minimum: 16 }),
  /** Most members of one object in a request body. */
  maxJsonKeys: Type.Integer({ minimum: 16 }),
  /** Most items of one array in a request body. */
  maxJsonItems: Type.Integer({ minimum: 16 }),
  registryBucket: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
  /**
   * Nodes without a grant (ADR 0011): `open` lets them serve tools no grant names, `required` lets them
   * serve nothing; `auto` is `required` when the gateway authenticates to NATS, `open` otherwise.
   */
  nodeGrants: Type.Union([Type.Literal('auto'), Type.Literal('open'), Type.Literal('required')]),
  /** KV bucket of node grants and approved tool descriptors. */
  grantsBucket: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
  /** Replicas of the JetStream buckets the gateway creates (registry, sessions): 3 on a three-server cluster. */
  kvReplicas: Type.Integer({ minimum: 1, maximum: 5 }),
  /** Items per page of tools/resources/prompts lists. */
  pageSize: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Open notification streams (GET streams and subscriptions/listen) one replica accepts. */
  maxStreams: Type.Integer({ minimum: 1 }),
  /** Placement: how a call picks among matching nodes unless it says otherwise (`queue`: NATS picks when any node will do). */
  placementStrategy: Type.Union([
    Type.Literal('least-loaded'),
    Type.Literal('round-robin'),
    Type.Literal('random'),
    Type.Literal('latency-aware'),
    Type.Literal('queue'),
  ]),
  /** Attempts of a call that is safe to retry (idempotent tool or idempotency key), and the default per fan-out chunk is the tool's own. */
  callAttempts: Type.Integer({ minimum: 1, maximum: 10 }),
  /** How long a call waits, retrying with backoff, while every matching node is at its concurrency limit. */
  overloadWaitMs: Type.Integer({ minimum: 0 }),
  /** Circuit breaker: consecutive node failures that make the gateway skip a node, and for how long at first. */
  breakerFailures: Type.Integer({ minimum: 1 }),
  breakerOpenMs: Millis,
  /** Hard limit of one call's arguments or result; larger than NATS max_payload travels through the object store. */
  maxPayloadBytes: Type.Integer({ minimum: 1024 }),
  /** How long an offloaded payload stays in the `easyremote-payloads` object store bucket. */
  payloadTtlMs: Millis,
  /** Usage report cost analysis: price of one node-second and one GPU-second of tool execution. */
  pricePerNodeSecond: Type.Number({ minimum: 0 }),
  pricePerGpuSecond: Type.Number({ minimum: 0 }),
  /** Slow clients: the request line and headers must arrive within this (every listener). */
  headersTimeoutMs: Millis,
  /** Slow clients: the whole request, body included, must arrive within this (a trickled body is cut off). */
  requestTimeoutMs: Millis,
  /** An idle keep-alive connection is closed after this (longer than a load balancer's own idle timeout). */
  idleTimeoutMs: Millis,
  /** `host:port` of a separate, unauthenticated listener for `/metrics`; empty = `/metrics` on the main listener, `metrics:read` scope. */
  metricsListen: Type.String({ pattern: '^(|(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5})$' }),
  /**
   * Which calls of a client that declares tasks run as durable tasks: `all` (every tool that supports
   * them), `required` (only tools that require them), `off` (none; tools that require tasks are refused).
   */
  tasks: Type.Union([Type.Literal('all'), Type.Literal('required'), Type.Literal('off')]),
  /** How long a task and its result stay readable after it was created. */
  taskTtlMs: Type.Integer({ minimum: 1000 }),
  /** The poll interval suggested to clients of a task. */
  taskPollIntervalMs: Millis,
});
export type GatewayConfig = Readonly<Static<typeof GatewayConfigSchema>>;

/** Environment variable → config key, with the default used when the variable is unset. */
const ENV: readonly EnvVariable<keyof GatewayConfig>[] = [
  { env: 'NATS_URL', key: 'natsUrl', kind: 'string', fallback: 'nats://127.0.0.1:4222' },
  { env: 'HOST', key: 'host', kind: 'string', fallback: '127.0.0.1' },
  { env: 'PORT', key: 'port', kind: 'int', fallback: '8080' },
  { env: 'LOG_LEVEL', key: 'logLevel', kind: 'string', fallback: 'info' },
  { env: 'EASYREMOTE_CALL_TIMEOUT_MS', key: 'callTimeoutMs', kind: 'int', fallback: '30000' },
  // Above NATS max_payload, so a few-MiB argument works out of the box (it travels through the object store).
  { env: 'EASYREMOTE_MAX_BODY_BYTES', key: 'maxBodyBytes', kind: 'int', fallback: String(16 * 1024 * 1024) },
  { env: 'EASYREMOTE_NATS_CONNECT_ATTEMPTS', key: 'natsConnectAttempts', kind: 'int', fallback: '10' },
  { env: 'EASYREMOTE_SESSION_SECRET', key: 'sessionSecret', kind: 'string', fallback: '' },
  { env: 'EASYREMOTE_SESSION_MAX_AGE_MS', key: 'sessionMaxAgeMs', kind: 'int', fallback: String(24 * 3600 * 1000) },
  { env: 'EASYREMOTE_ALLOWED_HOSTS', key: 'allowedHosts', kind: 'list', fallback: '' },
  { env: 'EASYREMOTE_ALLOWED_ORIGINS', key: 'allowedOrigins', kind: 'list', fallback: '' },
  { env: 'EASYREMOTE_AUTH', key: 'auth', kind: 'string', fallback: 'on' },
  { env: 'EASYREMOTE_KEYS_BUCKET', key: 'keysBucket', kind: 'string', fallback: 'easyremote-keys' },
  { env: 'EASYREMOTE_PUBLIC_URL', key: 'publicUrl', kind: 'string', fallback: '' },
  { env: 'EASYREMOTE_OAUTH_ISSUER', key: 'oauthIssuer', kind: 'string', fallback: '' },
  { env: 'EASYREMOTE_OAUTH_JWKS_URL', key: 'oauthJwksUrl', kind: 'string', fallback: '' },
  { env: 'EASYREMOTE_RATE_LIMIT', key: 'rateLimit', kind: 'int', fallback: '0' },
  { env: 'EASYREMOTE_RATE_LIMIT_PER_TOOL', key: 'rateLimitPerTool', kind: 'int', fallback: '0' },
  { env: 'EASYREMOTE_RATE_WINDOW_MS', key: 'rateWindowMs', kind: 'int', fallback: '60000' },
  { env: 'EASYREMOTE_AUDIT', key: 'audit', kind: 'string', fallback: 'on' },
  { env: 'EASYREMOTE_MAX_JSON_DEPTH', key: 'maxJsonDepth', kind: 'int', fallback: '64' },
  { env: 'EASYREMOTE_MAX_STRING_LENGTH', key: 'maxStringLength', kind: 'int', fallback: String(8 * 1024 * 1024) },
  { env: 'EASYREMOTE_MAX_JSON_KEYS', key: 'maxJsonKeys', kind: 'int', fallback: '10000' },
  { env: 'EASYREMOTE_MAX_JSON_ITEMS', key: 'maxJsonItems', kind: 'int', fallback: '100000' },
  { env: 'EASYREMOTE_REGISTRY_BUCKET', key: 'registryBucket', kind: 'string', fallback: 'easyremote-registry' },
  { env: 'EASYREMOTE_NODE_GRANTS', key: 'nodeGrants', kind: 'string', fallback: 'auto' },
  { env: 'EASYREMOTE_GRANTS_BUCKET', key: 'grantsBucket', kind: 'string', fallback: 'easyremote-grants' },
  { env: 'EASYREMOTE_KV_REPLICAS', key: 'kvReplicas', kind: 'int', fallback: '1' },
  { env: 'EASYREMOTE_PAGE_SIZE', key: 'pageSize', kind: 'int', fallback: '500' },
  { env: 'EASYREMOTE_MAX_STREAMS', key: 'maxStreams', kind: 'int', fallback: '10000' },
  { env: 'EASYREMOTE_PLACEMENT_STRATEGY', key: 'placementStrategy', kind: 'string', fallback: 'least-loaded' },
  { env: 'EASYREMOTE_CALL_ATTEMPTS', key: 'callAttempts', kind: 'int', fallback: '3' },
  { env: 'EASYREMOTE_OVERLOAD_WAIT_MS', key: 'overloadWaitMs', kind: 'int', fallback: '2000' },
  { env: 'EASYREMOTE_BREAKER_FAILURES', key: 'breakerFailures', kind: 'int', fallback: '3' },
  { env: 'EASYREMOTE_BREAKER_OPEN_MS', key: 'breakerOpenMs', kind: 'int', fallback: '5000' },
  { env: 'EASYREMOTE_MAX_PAYLOAD_BYTES', key: 'maxPayloadBytes', kind: 'int', fallback: String(64 * 1024 * 1024) },
  { env: 'EASYREMOTE_PAYLOAD_TTL_MS', key: 'payloadTtlMs', kind: 'int', fallback: String(10 * 60 * 1000) },
  { env: 'EASYREMOTE_PRICE_NODE_SECOND', key: 'pricePerNodeSecond', kind: 'number', fallback: '0' },
  { env: 'EASYREMOTE_PRICE_GPU_SECOND', key: 'pricePerGpuSecond', kind: 'number', fallback: '0' },
  { env: 'EASYREMOTE_HEADERS_TIMEOUT_MS', key: 'headersTimeoutMs', kind: 'int', fallback: '10000' },
  { env: 'EASYREMOTE_REQUEST_TIMEOUT_MS', key: 'requestTimeoutMs', kind: 'int', fallback: '30000' },
  { env: 'EASYREMOTE_IDLE_TIMEOUT_MS', key: 'idleTimeoutMs', kind: 'int', fallback: '72000' },
  { env: 'EASYREMOTE_METRICS_LISTEN', key: 'metricsListen', kind: 'string', fallback: '' },
  { env: 'EASYREMOTE_TASKS', key: 'tasks', kind: 'string', fallback: 'all' },
  { env: 'EASYREMOTE_TASK_TTL_MS', key: 'taskTtlMs', kind: 'int', fallback: String(3600 * 1000) },
  { env: 'EASYREMOTE_TASK_POLL_INTERVAL_MS', key: 'taskPollIntervalMs', kind: 'int', fallback: '500' },
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const loadFromEnv = envConfigLoader<GatewayConfig>({
  schema: GatewayConfigSchema,
  variables: ENV,
  what: 'gateway',
  code: GatewayErrorCode.Config,
});

/**
 * Reads the gateway's configuration from environment variables (plus explicit overrides), checks
 * it once and returns a frozen object. Fails with GW_ERR_CONFIG naming every bad variable.
 */
export function loadGatewayConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  const config = loadFromEnv(env, overrides);
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new GatewayError(
      GatewayErrorCode.Config,
      `EASYREMOTE_HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed EASYREMOTE_REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}): the headers are part of the request`,
    );
  }
  if (config.auth === 'off' && !LOOPBACK_HOSTS.has(config.host)) {
    throw new GatewayError(
      GatewayErrorCode.Config,
      `EASYREMOTE_AUTH=off is refused on a non-loopback address (HOST=${config.host}): bind to 127.0.0.1 or keep authentication on`,
    );
  }
  return config;
}
