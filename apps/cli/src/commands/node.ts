import { runNode } from '@easyremote/node-runner';
import { onShutdown } from '@easyremote/runtime';
import { announceMesh, resolveMesh } from '../mesh-target.js';
import { shareBundledPackages } from '../shared-packages.js';

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

export async function runNodeCommand(
  modules: readonly string[],
  options: { id?: string; nats?: string },
): Promise<void> {
  if (modules.length === 0) throw new Error(`no tools module given\n\n${nodeHelp}`);
  // Bundled (dist/bundle), this module's URL is the bundle's directory; unbundled it holds no manifest.
  shareBundledPackages(new URL('./', import.meta.url));
  // A node may fall back to the default port (it only advertises and serves), and says where it goes.
  const target = resolveMesh(process.env, options.nats, { allowDefault: true });
  announceMesh('node', target);
  const running = await runNode({
    modules,
    env: process.env,
    cwd: process.cwd(),
    natsUrl: target.servers,
    ...(options.id !== undefined ? { nodeId: options.id } : {}),
  });
  onShutdown(() => running.close(), running.log);
}
