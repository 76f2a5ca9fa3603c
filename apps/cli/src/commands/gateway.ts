import { createLogger, loadGatewayConfig, startGateway, startTracing } from '@easyremote/gateway';
import { onShutdown } from '../shutdown.js';

export const gatewayHelp = `easyremote gateway

Runs a stateless MCP gateway. Configuration comes from the environment:
  NATS_URL                      NATS server(s), comma-separated (default nats://127.0.0.1:4222)
  HOST, PORT                    where to listen (default 127.0.0.1:8080)
  LOG_LEVEL                     fatal|error|warn|info|debug|trace|silent (default info)
  EASYREMOTE_CALL_TIMEOUT_MS    default tool deadline (default 30000)
  EASYREMOTE_MAX_BODY_BYTES     largest accepted request body (default 4194304)
  EASYREMOTE_SESSION_SECRET     shared secret for 2025-era session ids (default: agreed through NATS KV)
  EASYREMOTE_ALLOWED_HOSTS      Host allow-list, comma-separated (default: loopback names on loopback binds)
  EASYREMOTE_ALLOWED_ORIGINS    Origin allow-list, comma-separated hostnames (default: loopback)
  EASYREMOTE_SESSION_MAX_AGE_MS lifetime of a 2025-era session id (default 86400000)
  EASYREMOTE_NATS_CONNECT_ATTEMPTS  connection attempts at start before giving up (default 10)
  EASYREMOTE_REGISTRY_BUCKET    KV bucket of the node registry (default easyremote-registry)
  EASYREMOTE_PAGE_SIZE          items per page of tools/resources/prompts lists (default 500)
  EASYREMOTE_MAX_STREAMS        open notification streams per replica (default 10000)
  EASYREMOTE_PRICE_NODE_SECOND  usage report: price of one node-second of tool execution (default 0)
  EASYREMOTE_PRICE_GPU_SECOND   usage report: price of one GPU-second (default 0)
  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_*  export traces over OTLP (off unless set)
`;

export async function runGateway(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const tracing = startTracing(process.env, 'easyremote-gateway');
  const logger = createLogger(config.logLevel);
  const gateway = await startGateway(config, { logger, tracing: tracing.enabled });
  onShutdown(async () => {
    await gateway.close();
    await tracing.shutdown();
  }, (message) => logger.info(message));
}
