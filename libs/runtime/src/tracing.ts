/** A process's tracing: on when the OTEL_* variables ask for it, with a shutdown that flushes. */
export interface TracingHandle {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the standard OTEL_* variables ask for traces to be exported. */
export function tracingRequested(env: Env): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporter);
}

/**
 * Starts the OpenTelemetry Node SDK for a process (gateway or compute node) when
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_TRACES_EXPORTER is set.
 * Otherwise the SDK is not even loaded (it is most of a small node's memory and start time) and
 * every span in the libraries is a no-op. The SDK reads the standard OTEL_* variables itself
 * (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, ...);
 * traces go to the OTLP exporter, W3C trace context is the propagator. No automatic
 * instrumentation: the spans are EasyRemote's own (HTTP request, NATS CLIENT/SERVER, tool handler).
 * `target` is where the SDK's defaults are written (the process environment, which the SDK reads).
 */
export async function startTracing(
  env: Env,
  serviceName: string,
  target: Record<string, string | undefined> = env as Record<string, string | undefined>,
): Promise<TracingHandle> {
  if (!tracingRequested(env)) return { enabled: false, shutdown: async () => {} };
  if (!env.OTEL_SERVICE_NAME) target.OTEL_SERVICE_NAME = serviceName;
  // Only traces: metrics are Prometheus (/metrics), logs are pino on stdout.
  if (!env.OTEL_METRICS_EXPORTER) target.OTEL_METRICS_EXPORTER = 'none';
  if (!env.OTEL_LOGS_EXPORTER) target.OTEL_LOGS_EXPORTER = 'none';
  if (!env.OTEL_TRACES_EXPORTER) target.OTEL_TRACES_EXPORTER = 'otlp';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
