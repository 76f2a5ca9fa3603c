/**
 * Simulates many compute nodes from one process: one NodeAdvertiser per simulated node (the same
 * heartbeat puts a real node makes), each advertising `toolsPerNode` distinct tools. Nobody answers
 * calls on their subjects; only the registry sees them.
 * Usage: node bench/servers/fake-nodes.ts <nats-url> <bucket> <nodes> <tools-per-node> <heartbeat-ms>
 */
import { connectMesh } from '@easyremote/mesh';
import type { NodeAdvert, ToolDescriptor } from '@easyremote/protocol';
import { NodeAdvertiser, openRegistry } from '@easyremote/registry';

const [
  natsUrl = 'nats://127.0.0.1:4222',
  bucket = 'easyremote-registry',
  nodesArg = '1000',
  toolsArg = '10',
  heartbeatArg = '2000',
] = process.argv.slice(2);
const nodes = Number(nodesArg);
const toolsPerNode = Number(toolsArg);
const heartbeatMs = Number(heartbeatArg);

/** A tool descriptor of typical size: title, description, a small input schema, annotations. */
function simulatedTool(node: number, tool: number): ToolDescriptor {
  return {
    name: `sim_${node}_t${tool}`,
    title: `Simulated tool ${tool} of node ${node}`,
    description: 'A simulated tool used to measure the registry at scale; it is never called.',
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string', maxLength: 1024 }, count: { type: 'integer', minimum: 0 } },
      required: ['text'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
    metadata: { category: 'simulation', tags: ['bench'] },
  };
}

const nc = await connectMesh({ servers: natsUrl, name: 'bench-fake-nodes' });
const kv = await openRegistry(nc, { bucket });
const startedAt = Date.now();
const advertisers: NodeAdvertiser[] = [];
const started = performance.now();
const batch = 50;
for (let first = 0; first < nodes; first += batch) {
  const group: Promise<void>[] = [];
  for (let i = first; i < Math.min(nodes, first + batch); i++) {
    const nodeId = `sim-${String(i).padStart(4, '0')}`;
    const tools = Array.from({ length: toolsPerNode }, (_, t) => simulatedTool(i, t));
    const advert = (): NodeAdvert => ({
      version: 1,
      nodeId,
      instanceId: `${nodeId}-bench`,
      startedAt,
      heartbeatAt: Date.now(),
      ttlMs: 3 * heartbeatMs,
      tools,
      capabilities: { cpus: 2, memoryBytes: 2 ** 31, platform: 'linux', labels: { sim: 'true' } },
      load: { inFlight: 0, maxConcurrency: 64 },
    });
    const advertiser = new NodeAdvertiser(kv, { nodeId, heartbeatMs, advert });
    advertisers.push(advertiser);
    group.push(advertiser.start());
  }
  await Promise.all(group);
}
process.stdout.write(
  `${JSON.stringify({ msg: 'bench ready', nodes, toolsPerNode, advertiseMs: performance.now() - started })}\n`,
);

const stop = (): void => {
  // Leave without deleting: the bench stops the whole nats-server right after.
  void nc.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
