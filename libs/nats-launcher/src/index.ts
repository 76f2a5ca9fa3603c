export { startNats } from './start-nats.js';
export type { StartNatsOptions, NatsServerHandle } from './start-nats.js';
export { startCluster } from './start-cluster.js';
export type { StartClusterOptions, ClusterHandle, ClusterMember } from './start-cluster.js';
export { startLeaf } from './start-leaf.js';
export type { StartLeafOptions } from './start-leaf.js';
export { freePorts } from './launch-support.js';
export { findNatsServer } from './launch-support.js';
export { LauncherError, LauncherErrorCode } from './launch-support.js';
