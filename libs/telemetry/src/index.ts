export {
  activeTraceIds,
  extractTraceHeaders,
  extractTraceRecord,
  hasSpanContext,
  injectTraceHeaders,
} from './trace-context.js';
export type { HeaderReader } from './trace-context.js';
export {
  SpanAttributes,
  startServerSpan,
  TRACER_NAME,
  tracingActive,
  withClientSpan,
  withServerSpan,
  withSpan,
} from './spans.js';
