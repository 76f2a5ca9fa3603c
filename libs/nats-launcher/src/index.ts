export { startNats } from './start-nats.js';
export type { StartNatsOptions, NatsServerHandle } from './start-nats.js';
export { findNatsServer } from './find-binary.js';
export { LauncherError, LauncherErrorCode } from './errors.js';
