import { ComputeNode, defaultNodeId, parseGpuList } from '@easyremote/node-sdk';
import { createProcessLogger, onShutdown, startTracing } from '@easyremote/runtime';
import { enableWireDeviations, hasNatsCredentials, natsClientOptionsFromEnv } from '@easyremote/mesh';
import type { Logger } from '@easyremote/protocol';
import { loadToolsModule } from '../load-tools.js';
import { loadNodeConfig } from '../node-config.js';
import { announceMesh, resolveMesh, logWireDeviations } from '../mesh-target.js';
import { serveNodeMetrics } from '../node-metrics.js';

export const nodeHelp = `easyremote node <tools-module>... [--id <node-id>] [--nats <url>]

Runs a compute node serving the tools exported by each module (an array as "tools" or default export,
or a fromEnvironment(env) factory returning { tools, models?, close? }).
Environment: NATS_URL, EASYREMOTE_NODE_ID, EASYREMOTE_MAX_CONCURRENCY (64), EASYREMOTE_HEARTBEAT_MS (2000),
EASYREMOTE_NODE_LABELS (k=v,k=v), NATS_USER/NATS_PASSWORD, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX, EASYREMOTE_NODE_MODELS (m1,m2: models served besides those the tools declare),
EASYREMOTE_NODE_GPUS (operator override of detected GPUs: none, or name:memoryMiB,... e.g. 2xA100:81920; unset: nvidia-smi),
EASYREMOTE_NODE_MEMORY (operator override of the advertised memory: bytes or a size such as 8GiB, 512MiB, 16GB; unset: the machine's total),
EASYREMOTE_MAX_PAYLOAD_BYTES (67108864: largest arguments/result through the payload object store),
EASYREMOTE_METRICS_PORT (serve Prometheus GET /metrics on this port; EASYREMOTE_METRICS_HOST, default 127.0.0.1),
OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_TRACES_EXPORTER (export traces; see docs/observability.md),
EASYREMOTE_JS_DOMAIN (the registry's JetStream domain: hub, on an edge leaf), EASYREMOTE_KV_REPLICAS (1; 3 on a cluster), EASYREMOTE_REGISTRY_BUCKET (easyremote-registry), LOG_LEVEL.
`;

export async function runNode(modules: readonly string[], options: { id?: string; nats?: string }): Promise<void> {
  if (modules.length === 0) throw new Error(`no tools module given\n\n${nodeHelp}`);
  // A node may fall back to the default port (it only advertises and serves), and says where it goes.
  const target = resolveMesh(process.env, options.nats, { allowDefault: true });
  announceMesh('node', target);
  const config = loadNodeConfig(process.env, {
    ...(options.id !== undefined ? { nodeId: options.id } : {}),
    natsUrl: target.servers,
  });
  const tracing = await startTracing(process.env, 'easyremote-node');
  const logger = createProcessLogger('easyremote-node', config.logLevel, 2);
  logWireDeviations(enableWireDeviations(), logger);
  const loaded = await Promise.all(modules.map((module) => loadToolsModule(module, process.cwd(), process.env)));
  const tools = loaded.flatMap((module) => module.definitions);
  const models = [...new Set(loaded.flatMap((module) => module.models))];
  const natsOptions = natsClientOptionsFromEnv(process.env);
  const nodeId = config.nodeId ?? defaultNodeId();
  // A node's NATS user may only read replies under _INBOX_<node id> (nats/secure): use that prefix
  // whenever the node authenticates, unless NATS_INBOX_PREFIX says otherwise.
  if (hasNatsCredentials(natsOptions) && natsOptions.inboxPrefix === undefined)
    natsOptions.inboxPrefix = `_INBOX_${nodeId}`;
  const node = new ComputeNode({
    servers: config.natsUrl.split(','),
    nodeId,
    mesh: natsOptions,
    maxConcurrency: config.maxConcurrency,
    heartbeatMs: config.heartbeatMs,
    labels: { ...config.labels },
    ...(config.gpus !== undefined ? { gpus: parseGpuList(config.gpus) } : {}),
    ...(config.memoryBytes !== undefined ? { memoryBytes: config.memoryBytes } : {}),
    // Models named by EASYREMOTE_NODE_MODELS plus those the modules' backends serve.
    models: [...new Set([...config.models, ...models])],
    maxPayloadBytes: config.maxPayloadBytes,
    registryReplicas: config.kvReplicas,
    ...(config.jsDomain !== undefined ? { registryDomain: config.jsDomain } : {}),
    registryBucket: config.registryBucket,
    logger: logger as unknown as Logger,
  });
  node.register(...tools);
  await node.start();
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : await serveNodeMetrics(node, { host: config.metricsHost, port: config.metricsPort });
  logger.info(
    { nodeId: node.nodeId, definitions: tools.length, ...(metrics ? { metrics: metrics.url } : {}) },
    'node serving',
  );
  onShutdown(
    async () => {
      await node.stop();
      await Promise.all(loaded.map((module) => module.close()));
      await metrics?.close();
      await tracing.shutdown();
    },
    (message) => logger.info(message),
  );
}
