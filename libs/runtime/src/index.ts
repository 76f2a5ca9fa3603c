export { startTracing, tracingRequested } from './tracing.js';
export type { TracingHandle } from './tracing.js';
export { ConfigError, envConfigLoader } from './env-config.js';
export type { EnvConfigSpec, EnvKind, EnvVariable } from './env-config.js';
export { createProcessLogger } from './process-logger.js';
export { onShutdown, runMain } from './shutdown.js';
