export { runNode } from './run-node.js';
export type { RunNodeOptions, RunningNode } from './run-node.js';
export { loadToolsModule } from './load-tools.js';
export type { LoadedModule, ToolsModule } from './load-tools.js';
export { loadNodeConfig, NodeConfigSchema } from './node-config.js';
export type { NodeConfig } from './node-config.js';
// serveNodeMetrics is `@easyremote/node-runner/metrics`: runNode loads it (and prom-client) only when metrics are on.
export type { NodeMetricsServer } from './node-metrics.js';
