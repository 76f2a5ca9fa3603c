import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { parseByteSize } from '@easyremote/protocol';

export const NodeConfigSchema = Type.Object({
  natsUrl: Type.String({ minLength: 1 }),
  nodeId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  maxConcurrency: Type.Integer({ minimum: 1 }),
  heartbeatMs: Type.Integer({ minimum: 100 }),
  labels: Type.Record(Type.String(), Type.String()),
  /** JetStream domain of the registry: `hub` for a node attached to an edge leaf server. */
  jsDomain: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+$' })),
  /** Replicas of the registry bucket if this node creates it: 3 on a three-server cluster. */
  kvReplicas: Type.Integer({ minimum: 1, maximum: 5 }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
  ),
  registryBucket: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
  /** Serve Prometheus metrics on this port (GET /metrics) when set; 0 = a free port. */
  metricsPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  metricsHost: Type.String({ minLength: 1 }),
  /** Operator override of the node's GPUs (`none`, or `name:memoryMiB,...`, `2xA100:81920`); unset: nvidia-smi decides. */
  gpus: Type.Optional(Type.String()),
  /** Operator override of the node's advertised memory, bytes (`EASYREMOTE_NODE_MEMORY=8GiB`); unset: the machine's total. */
  memoryBytes: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Models this node serves besides those its tools declare. */
  models: Type.Array(Type.String({ minLength: 1 })),
  /** Largest arguments or result this node accepts or sends through the payload object store. */
  maxPayloadBytes: Type.Integer({ minimum: 1024 }),
});
export type NodeConfig = Readonly<Static<typeof NodeConfigSchema>>;

const validator = Compile(NodeConfigSchema);

/** Config key -> the environment variable that sets it, for error messages. */
const ENV_NAMES: Readonly<Record<string, string>> = {
  natsUrl: 'NATS_URL',
  nodeId: 'EASYREMOTE_NODE_ID',
  maxConcurrency: 'EASYREMOTE_MAX_CONCURRENCY',
  heartbeatMs: 'EASYREMOTE_HEARTBEAT_MS',
  labels: 'EASYREMOTE_NODE_LABELS',
  logLevel: 'LOG_LEVEL',
  registryBucket: 'EASYREMOTE_REGISTRY_BUCKET',
  jsDomain: 'EASYREMOTE_JS_DOMAIN',
  kvReplicas: 'EASYREMOTE_KV_REPLICAS',
  metricsPort: 'EASYREMOTE_METRICS_PORT',
  metricsHost: 'EASYREMOTE_METRICS_HOST',
  gpus: 'EASYREMOTE_NODE_GPUS',
  memoryBytes: 'EASYREMOTE_NODE_MEMORY',
  models: 'EASYREMOTE_NODE_MODELS',
  maxPayloadBytes: 'EASYREMOTE_MAX_PAYLOAD_BYTES',
};

function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [key, ...rest] = pair.split('=');
    if (key) labels[key.trim()] = rest.join('=').trim();
  }
  return labels;
}

/** Compute-node settings from the environment (and command-line overrides), checked once at start. */
export function loadNodeConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { nodeId?: string; natsUrl?: string } = {},
): NodeConfig {
  const candidate: Record<string, unknown> = {
    natsUrl: overrides.natsUrl ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
    maxConcurrency: Number(env.EASYREMOTE_MAX_CONCURRENCY ?? '64'),
    heartbeatMs: Number(env.EASYREMOTE_HEARTBEAT_MS ?? '2000'),
    labels: parseLabels(env.EASYREMOTE_NODE_LABELS ?? ''),
    kvReplicas: Number(env.EASYREMOTE_KV_REPLICAS ?? '1'),
    logLevel: env.LOG_LEVEL ?? 'info',
    registryBucket: env.EASYREMOTE_REGISTRY_BUCKET ?? 'easyremote-registry',
    metricsHost: env.EASYREMOTE_METRICS_HOST ?? '127.0.0.1',
    models: (env.EASYREMOTE_NODE_MODELS ?? '')
      .split(',')
      .map((model) => model.trim())
      .filter(Boolean),
    maxPayloadBytes: Number(env.EASYREMOTE_MAX_PAYLOAD_BYTES ?? String(64 * 1024 * 1024)),
  };
  if (env.EASYREMOTE_NODE_GPUS !== undefined) candidate.gpus = env.EASYREMOTE_NODE_GPUS;
  const sizeProblems: string[] = [];
  if (env.EASYREMOTE_NODE_MEMORY !== undefined) {
    try {
      candidate.memoryBytes = parseByteSize(env.EASYREMOTE_NODE_MEMORY);
    } catch (error) {
      sizeProblems.push(
        `EASYREMOTE_NODE_MEMORY=${JSON.stringify(env.EASYREMOTE_NODE_MEMORY)}: ${(error as Error).message}`,
      );
    }
  }
  if (env.EASYREMOTE_METRICS_PORT) candidate.metricsPort = Number(env.EASYREMOTE_METRICS_PORT);
  const nodeId = overrides.nodeId ?? env.EASYREMOTE_NODE_ID;
  if (nodeId !== undefined) candidate.nodeId = nodeId;
  if (env.EASYREMOTE_JS_DOMAIN) candidate.jsDomain = env.EASYREMOTE_JS_DOMAIN;
  if (sizeProblems.length > 0 || !validator.Check(candidate)) {
    const problems = [...sizeProblems, ...validator.Errors(candidate)].map((error) => {
      if (typeof error === 'string') return error;
      const key = error.instancePath.split('/')[1] ?? '';
      const name = ENV_NAMES[key] ?? key;
      const raw = env[name] ?? candidate[key];
      return `${name}=${JSON.stringify(raw)}: ${error.message}`;
    });
    throw new Error(`invalid node configuration:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  return Object.freeze(candidate as NodeConfig);
}
