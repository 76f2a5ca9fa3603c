import { DEFAULT_MAX_PAYLOAD_BYTES, type ConnectMeshOptions } from '@easyremote/mesh';
import { isValidNodeId, REGISTRY_BUCKET, silentLogger, type GpuInfo, type Logger } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import { defaultNodeId } from './node-identity.js';
import { DEFAULT_TOOL_TIMEOUT_MS } from './run-tool.js';

export interface ComputeNodeOptions {
  /** Registry key and subject token of this node; `<hostname>-<random>` when omitted. */
  nodeId?: string;
  /** NATS server URL(s) to connect to. Required unless `connection` is given. */
  servers?: string | string[];
  /** An existing connection to use instead of connecting; the node then never closes it. */
  connection?: NatsConnection;
  /** NATS client name; `easyremote-node-<nodeId>` by default. */
  name?: string;
  /** Further connection settings (credentials, startup retries, pings) when the node connects itself. */
  mesh?: MeshConnectOptions;
  /** Free-form labels advertised with the node's capabilities (`gpu: "a100"`, `zone: "eu-1"`). */
  labels?: Record<string, string>;
  /** Calls run at once before the node answers NODE_ERR_OVERLOADED. Default 64. */
  maxConcurrency?: number;
  /**
   * The node's GPUs as advertised. Omitted: detected at start with `nvidia-smi` (none when it is
   * missing). Given (`[]` for none): advertised as is — the operator's override, also how tests
   * simulate a GPU node.
   */
  gpus?: readonly GpuInfo[];
  /**
   * The node's memory as advertised, bytes (ToolRequirements.memoryBytes is judged against it).
   * Omitted: the machine's total memory. Given: the operator's override, like `gpus` (a share of a
   * larger machine, or several simulated nodes of different sizes on one).
   */
  memoryBytes?: number;
  /** Models this node's backends serve, advertised for placement (ToolRequirements.model). */
  models?: readonly string[];
  /**
   * Largest arguments or result (bytes) this node accepts or sends through the payload object store
   * (`easyremote-payloads`) when they exceed NATS max_payload. Default 64 MiB.
   */
  maxPayloadBytes?: number;
  /** Registry heartbeat interval. Default 2000 ms. */
  heartbeatMs?: number;
  /** Gateways drop the node when no heartbeat arrived for this long. Default 3 x heartbeatMs. */
  ttlMs?: number;
  /** Deadline of a call whose tool sets no `timeoutMs`. Default 30 000 ms. */
  defaultTimeoutMs?: number;
  logger?: Logger;
  /** Registry KV bucket. Default `easyremote-registry`. */
  registryBucket?: string;
  /** JetStream domain of the registry, for nodes behind a leaf server (`hub`). */
  registryDomain?: string;
  /** Replicas of the registry bucket if this node is the one creating it: 3 on a three-server cluster. Default 1. */
  registryReplicas?: number;
}

export type MeshConnectOptions = Omit<ConnectMeshOptions, 'servers' | 'name' | 'logger'>;

export interface ResolvedNodeOptions {
  nodeId: string;
  servers: string | string[] | undefined;
  connection: NatsConnection | undefined;
  name: string;
  mesh: MeshConnectOptions;
  labels: Readonly<Record<string, string>>;
  maxConcurrency: number;
  gpus: readonly GpuInfo[] | undefined;
  memoryBytes: number | undefined;
  models: readonly string[];
  maxPayloadBytes: number;
  heartbeatMs: number;
  ttlMs: number;
  defaultTimeoutMs: number;
  logger: Logger;
  registryBucket: string;
  registryDomain: string | undefined;
  registryReplicas: number;
}

function bad(message: string): NodeSdkError {
  return new NodeSdkError(NodeSdkErrorCode.InvalidOptions, message);
}

function positiveInteger(name: string, value: number | undefined, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum)
    throw bad(`${name} must be an integer >= ${minimum}, got ${String(value)}`);
  return value;
}

/** Checks every option once, at construction, naming the bad one; the node never re-checks. */
export function resolveNodeOptions(options: ComputeNodeOptions): ResolvedNodeOptions {
  const nodeId = options.nodeId ?? defaultNodeId();
  if (!isValidNodeId(nodeId))
    throw bad(`invalid nodeId ${JSON.stringify(nodeId)}: use 1-64 characters of A-Z a-z 0-9 _ -`);
  if (options.connection === undefined && (options.servers === undefined || options.servers.length === 0)) {
    throw bad('give either `servers` (NATS URLs) or an existing `connection`');
  }
  const labels = options.labels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') throw bad(`label ${JSON.stringify(key)} must be a string`);
  }
  if (options.gpus !== undefined) {
    if (!Array.isArray(options.gpus)) throw bad('gpus must be an array of { name, memoryBytes }');
    for (const gpu of options.gpus) {
      if (typeof gpu?.name !== 'string' || !Number.isInteger(gpu.memoryBytes) || gpu.memoryBytes < 0)
        throw bad(`invalid GPU ${JSON.stringify(gpu)}: use { name, memoryBytes }`);
    }
  }
  if (
    options.models !== undefined &&
    (!Array.isArray(options.models) || !options.models.every((m) => typeof m === 'string' && m !== ''))
  ) {
    throw bad('models must be an array of non-empty strings');
  }
  const heartbeatMs = positiveInteger('heartbeatMs', options.heartbeatMs, 2_000, 10);
  const ttlMs = positiveInteger('ttlMs', options.ttlMs, 3 * heartbeatMs, 100);
  if (ttlMs <= heartbeatMs) throw bad(`ttlMs (${ttlMs}) must be longer than heartbeatMs (${heartbeatMs})`);
  return {
    nodeId,
    servers: options.servers,
    connection: options.connection,
    name: options.name ?? `easyremote-node-${nodeId}`,
    mesh: { ...options.mesh },
    labels: Object.freeze({ ...labels }),
    maxConcurrency: positiveInteger('maxConcurrency', options.maxConcurrency, 64),
    memoryBytes: options.memoryBytes === undefined ? undefined : positiveInteger('memoryBytes', options.memoryBytes, 0),
    gpus:
      options.gpus === undefined
        ? undefined
        : Object.freeze(options.gpus.map((gpu) => ({ name: gpu.name, memoryBytes: gpu.memoryBytes }))),
    models: Object.freeze([...(options.models ?? [])]),
    maxPayloadBytes: positiveInteger('maxPayloadBytes', options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, 1024),
    heartbeatMs,
    ttlMs,
    defaultTimeoutMs: positiveInteger('defaultTimeoutMs', options.defaultTimeoutMs, DEFAULT_TOOL_TIMEOUT_MS),
    logger: (options.logger ?? silentLogger).child({ component: 'compute-node', nodeId }),
    registryBucket: options.registryBucket ?? REGISTRY_BUCKET,
    registryDomain: options.registryDomain,
    registryReplicas: positiveInteger('registryReplicas', options.registryReplicas, 1),
  };
}
