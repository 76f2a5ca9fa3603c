import { runGateway } from '@easyremote/gateway';
import { onShutdown } from '@easyremote/runtime';

export const gatewayHelp = `easyremote gateway

Runs a stateless MCP gateway. Configuration comes from the environment:
  NATS_URL                      NATS server(s), comma-separated (default nats://127.0.0.1:4222)
  HOST, PORT                    where to listen (default 127.0.0.1:8080)
  LOG_LEVEL                     fatal|error|warn|info|debug|trace|silent (default info)
  EASYREMOTE_CALL_TIMEOUT_MS    default tool deadline (default 30000)
  EASYREMOTE_MAX_BODY_BYTES     largest accepted request body (default 16777216)
  EASYREMOTE_SESSION_SECRET     shared secret for 2025-era session ids (default: agreed through NATS KV)
  EASYREMOTE_ALLOWED_HOSTS      Host allow-list, comma-separated (default: loopback names on loopback binds)
  EASYREMOTE_ALLOWED_ORIGINS    Origin allow-list, comma-separated hostnames (default: loopback)
  EASYREMOTE_SESSION_MAX_AGE_MS lifetime of a 2025-era session id (default 86400000)
  EASYREMOTE_NATS_CONNECT_ATTEMPTS  connection attempts at start before giving up (default 10)
  EASYREMOTE_REGISTRY_BUCKET    KV bucket of the node registry (default easyremote-registry)
  EASYREMOTE_NODE_GRANTS        auto|open|required: may a node without a grant serve tools? (default auto:
                                required when NATS credentials are set, else open; see easyremote help grants)
  EASYREMOTE_GRANTS_BUCKET      KV bucket of node grants and approved descriptors (default easyremote-grants)
  EASYREMOTE_KV_REPLICAS        replicas of the buckets the gateway creates (default 1; 3 on a NATS cluster)
  EASYREMOTE_PAGE_SIZE          items per page of tools/resources/prompts lists (default 500)
  EASYREMOTE_MAX_STREAMS        open notification streams per replica (default 10000)
  EASYREMOTE_AUTH               on|off: authentication (default on; off only on a loopback HOST)
  EASYREMOTE_KEYS_BUCKET        KV bucket of API key hashes (default easyremote-keys)
  EASYREMOTE_PUBLIC_URL         public base URL; the OAuth resource/audience is <url>/mcp (default: listen address)
  EASYREMOTE_OAUTH_ISSUER       accept JWT access tokens from this issuer (default: API keys only)
  EASYREMOTE_OAUTH_JWKS_URL     the issuer's JWKS (default <issuer>/.well-known/jwks.json)
  EASYREMOTE_RATE_LIMIT         calls per window per principal, all replicas together (default 0 = off)
  EASYREMOTE_RATE_LIMIT_PER_TOOL  calls per window per principal on one tool (default 0 = off)
  EASYREMOTE_RATE_WINDOW_MS     rate window (default 60000)
  EASYREMOTE_AUDIT              on|off: audit stream of tool executions (default on)
  EASYREMOTE_MAX_JSON_DEPTH     deepest JSON nesting in a body (default 64)
  EASYREMOTE_MAX_JSON_KEYS      most members of one object in a body (default 10000)
  EASYREMOTE_MAX_JSON_ITEMS     most items of one array in a body (default 100000)
  EASYREMOTE_MAX_STRING_LENGTH  longest string in a body (default 8388608)
  EASYREMOTE_PLACEMENT_STRATEGY least-loaded|round-robin|random|latency-aware|queue (default least-loaded)
  EASYREMOTE_CALL_ATTEMPTS      attempts for a call that is safe to retry (default 3)
  EASYREMOTE_OVERLOAD_WAIT_MS   how long to keep trying when every node is full (default 2000)
  EASYREMOTE_BREAKER_FAILURES, EASYREMOTE_BREAKER_OPEN_MS  circuit breaker per node (default 3, 5000)
  EASYREMOTE_MAX_PAYLOAD_BYTES  largest argument or result through the payload store (default 67108864)
  EASYREMOTE_PAYLOAD_TTL_MS     how long an offloaded payload is kept (default 600000)
  EASYREMOTE_PRICE_NODE_SECOND  usage report: price of one node-second of tool execution (default 0)
  EASYREMOTE_PRICE_GPU_SECOND   usage report: price of one GPU-second (default 0)
  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_*  export traces over OTLP (off unless set)
  NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX
                                NATS credentials and TLS (see nats/secure/README.md)
`;

export async function runGatewayCommand(): Promise<void> {
  const running = await runGateway(process.env);
  onShutdown(() => running.close(), running.log);
}
