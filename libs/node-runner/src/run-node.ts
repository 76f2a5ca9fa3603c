import { ComputeNode, defaultNodeId, parseGpuList } from '@easyremote/node-sdk';
import { createProcessLogger, startTracing } from '@easyremote/runtime';
import {
  enableWireDeviations,
  hasNatsCredentials,
  logWireDeviations,
  natsClientOptionsFromEnv,
} from '@easyremote/mesh';
import type { Logger } from '@easyremote/protocol';
import { loadToolsModule, type ToolsModule } from './load-tools.js';
import { loadNodeConfig } from './node-config.js';

type Environment = Readonly<Record<string, string | undefined>>;

export interface RunNodeOptions {
  /** What the node serves: tools modules by path or package name, or already imported modules. */
  modules: readonly (string | ToolsModule)[];
  /** Settings, from the process's environment (NATS_URL, EASYREMOTE_NODE_*, LOG_LEVEL, OTEL_*, ...). */
  env: Environment;
  /** Where module paths are resolved from. */
  cwd: string;
  /** Overrides EASYREMOTE_NODE_ID. */
  nodeId?: string;
  /** Overrides NATS_URL (comma-separated servers). */
  natsUrl?: string;
}

export interface RunningNode {
  readonly node: ComputeNode;
  /** Metrics URL when EASYREMOTE_METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  readonly log: (message: string) => void;
  /** Stops serving (the node's advert is deleted, calls in flight finish), then releases everything. */
  close(): Promise<void>;
}

/**
 * A compute node process's body, from its environment: settings checked at start (a bad one throws
 * NODE_SDK_ERR_INVALID_OPTIONS naming every bad variable), tracing when OTEL_* asks, the process
 * logger, the wire deviations, the modules' definitions and models, optional Prometheus metrics.
 * The caller owns the process: it wires `close` to its signals (onShutdown).
 */
export async function runNode(options: RunNodeOptions): Promise<RunningNode> {
  const { env } = options;
  const config = loadNodeConfig(env, {
    ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}),
    ...(options.natsUrl !== undefined ? { natsUrl: options.natsUrl } : {}),
  });
  const tracing = await startTracing(env, 'easyremote-node');
  const logger = createProcessLogger('easyremote-node', config.logLevel, 2);
  logWireDeviations(enableWireDeviations(), logger);
  const loaded = await Promise.all(options.modules.map((module) => loadToolsModule(module, options.cwd, env)));
  const definitions = loaded.flatMap((module) => module.definitions);
  const models = [...new Set(loaded.flatMap((module) => module.models))];
  const natsOptions = natsClientOptionsFromEnv(env);
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
  const release = async () => {
    await Promise.all(loaded.map((module) => module.close()));
    await tracing.shutdown();
  };
  node.register(...definitions);
  try {
    await node.start();
  } catch (error) {
    await release();
    throw error;
  }
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : // prom-client only when metrics are asked for: it is a large share of a small node's memory.
        await (
          await import('./node-metrics.js')
        ).serveNodeMetrics(node, {
          host: config.metricsHost,
          port: config.metricsPort,
        });
  logger.info(
    { nodeId: node.nodeId, definitions: definitions.length, ...(metrics ? { metrics: metrics.url } : {}) },
    'node serving',
  );
  return {
    node,
    metricsUrl: metrics?.url,
    log: (message) => logger.info(message),
    async close() {
      await node.stop();
      await metrics?.close();
      await release();
    },
  };
}
