import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

export const NodeConfigSchema = Type.Object({
  natsUrl: Type.String({ minLength: 1 }),
  nodeId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  maxConcurrency: Type.Integer({ minimum: 1 }),
  heartbeatMs: Type.Integer({ minimum: 100 }),
  labels: Type.Record(Type.String(), Type.String()),
  logLevel: Type.String(),
});
export type NodeConfig = Readonly<Static<typeof NodeConfigSchema>>;

const validator = Compile(NodeConfigSchema);

function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [key, ...rest] = pair.split('=');
    if (key) labels[key.trim()] = rest.join('=').trim();
  }
  return labels;
}

/** Compute-node settings from the environment (and command-line overrides), checked once at start. */
export function loadNodeConfig(env: Readonly<Record<string, string | undefined>>, overrides: { nodeId?: string; natsUrl?: string } = {}): NodeConfig {
  const candidate: Record<string, unknown> = {
    natsUrl: overrides.natsUrl ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
    maxConcurrency: Number(env.EASYREMOTE_MAX_CONCURRENCY ?? '64'),
    heartbeatMs: Number(env.EASYREMOTE_HEARTBEAT_MS ?? '2000'),
    labels: parseLabels(env.EASYREMOTE_NODE_LABELS ?? ''),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
  const nodeId = overrides.nodeId ?? env.EASYREMOTE_NODE_ID;
  if (nodeId !== undefined) candidate.nodeId = nodeId;
  if (!validator.Check(candidate)) {
    const problems = validator.Errors(candidate).map((error) => `${error.instancePath.slice(1) || 'config'}: ${error.message}`);
    throw new Error(`invalid node configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(candidate as NodeConfig);
}
