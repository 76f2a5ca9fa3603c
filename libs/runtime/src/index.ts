export { startTracing, tracingRequested } from './tracing.js';
export type { TracingHandle } from './tracing.js';
