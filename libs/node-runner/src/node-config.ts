import { NodeSdkErrorCode } from '@easyremote/node-sdk';
import { parseByteSize } from '@easyremote/protocol';
import { envConfigLoader } from '@easyremote/runtime';
import { Type, type Static } from 'typebox';

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

const loadFromEnv = envConfigLoader<NodeConfig>({
  schema: NodeConfigSchema,
  what: 'node',
  code: NodeSdkErrorCode.InvalidOptions,
  variables: [
    { env: 'NATS_URL', key: 'natsUrl', kind: 'string', fallback: 'nats://127.0.0.1:4222' },
    { env: 'EASYREMOTE_NODE_ID', key: 'nodeId', kind: 'string' },
    { env: 'EASYREMOTE_MAX_CONCURRENCY', key: 'maxConcurrency', kind: 'int', fallback: '64' },
    { env: 'EASYREMOTE_HEARTBEAT_MS', key: 'heartbeatMs', kind: 'int', fallback: '2000' },
    { env: 'EASYREMOTE_NODE_LABELS', key: 'labels', kind: 'labels', fallback: '' },
    { env: 'EASYREMOTE_KV_REPLICAS', key: 'kvReplicas', kind: 'int', fallback: '1' },
    { env: 'LOG_LEVEL', key: 'logLevel', kind: 'string', fallback: 'info' },
    { env: 'EASYREMOTE_REGISTRY_BUCKET', key: 'registryBucket', kind: 'string', fallback: 'easyremote-registry' },
    { env: 'EASYREMOTE_METRICS_HOST', key: 'metricsHost', kind: 'string', fallback: '127.0.0.1' },
    { env: 'EASYREMOTE_NODE_MODELS', key: 'models', kind: 'list', fallback: '' },
    {
      env: 'EASYREMOTE_MAX_PAYLOAD_BYTES',
      key: 'maxPayloadBytes',
      kind: 'int',
      fallback: String(64 * 1024 * 1024),
    },
    { env: 'EASYREMOTE_NODE_GPUS', key: 'gpus', kind: 'string' },
    { env: 'EASYREMOTE_NODE_MEMORY', key: 'memoryBytes', kind: 'string', parse: (raw) => parseByteSize(raw) },
    { env: 'EASYREMOTE_METRICS_PORT', key: 'metricsPort', kind: 'int' },
    { env: 'EASYREMOTE_JS_DOMAIN', key: 'jsDomain', kind: 'string' },
  ],
});

/**
 * Compute-node settings from the environment (and command-line overrides), checked once at start.
 * Fails with NODE_SDK_ERR_INVALID_OPTIONS naming every bad variable.
 */
export function loadNodeConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { nodeId?: string | undefined; natsUrl?: string | undefined } = {},
): NodeConfig {
  // An empty EASYREMOTE_METRICS_PORT or EASYREMOTE_JS_DOMAIN means unset, as before.
  const cleaned = { ...env };
  for (const name of ['EASYREMOTE_METRICS_PORT', 'EASYREMOTE_JS_DOMAIN'])
    if (cleaned[name] === '') delete cleaned[name];
  return loadFromEnv(cleaned, overrides);
}
