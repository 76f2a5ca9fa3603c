import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComputeNode } from '@easyremote/node-sdk';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface NodeMetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Prometheus metrics of one compute node on a small HTTP listener (`GET /metrics`): calls, errors and
 * durations per tool as the node ran them, calls in flight and tools served.
 */
export async function serveNodeMetrics(
  node: ComputeNode,
  options: { host: string; port: number },
): Promise<NodeMetricsServer> {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'easyremote-node', node: node.nodeId });
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'easyremote_node_process_' });
  const calls = new Counter({
    name: 'easyremote_node_tool_calls_total',
    help: 'Tool calls this node finished, by tool and outcome.',
    labelNames: ['tool', 'outcome'],
    registers,
  });
  const errors = new Counter({
    name: 'easyremote_node_tool_call_errors_total',
    help: 'Tool calls that failed on this node, by tool and code.',
    labelNames: ['tool', 'code'],
    registers,
  });
  const duration = new Histogram({
    name: 'easyremote_node_tool_call_duration_seconds',
    help: 'Tool handler duration on this node.',
    labelNames: ['tool'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'easyremote_node_calls_in_flight',
    help: 'Requests running on this node.',
    registers,
    collect() {
      this.set(node.inFlight);
    },
  });
  new Gauge({
    name: 'easyremote_node_tools',
    help: 'Tools this node serves.',
    registers,
    collect() {
      this.set(node.tools.length);
    },
  });
  const stop = node.onCallFinished((call) => {
    calls.inc({ tool: call.tool, outcome: call.ok ? 'success' : 'error' });
    duration.observe({ tool: call.tool }, call.durationMs / 1000);
    if (!call.ok) errors.inc({ tool: call.tool, code: call.errorCode ?? 'error' });
  });
  // Slow-client limits as on the gateway's listeners: headers within 10 s, the request within 30 s.
  const server: Server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 },
    (request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
