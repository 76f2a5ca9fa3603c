import { randomBytes } from 'node:crypto';
import type { Logger } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import type { McpServices } from '../mcp/services.js';
import { AnalyticsStore, type CallRecord } from './analytics-store.js';
import { buildReport, parsePeriod, type Pricing, type UsageReport } from './analytics-report.js';
import { GatewayMetrics } from './metrics.js';
import { RecentCalls } from './recent-calls.js';

export interface ObservabilityOptions {
  /** Names this replica in call records (default: a random id). */
  gatewayId?: string;
  pricing: Pricing;
  kvReplicas: number;
  /** Tool calls in flight on this replica. */
  inFlight: () => number;
  /** Subscribes to NATS reconnects (counted in `easyremote_nats_reconnects_total`). */
  onReconnect?: (listener: () => void) => () => void;
  logger: Logger;
  /** Whether an OpenTelemetry SDK exports traces (the HTTP SERVER span hooks are added only then). */
  tracing: boolean;
}

/** Metrics, the analytics recorder/reader and the dashboard's live feed of one gateway replica. */
export interface Observability {
  readonly metrics: GatewayMetrics;
  readonly recent: RecentCalls;
  readonly services: McpServices;
  readonly tracing: boolean;
  /** The usage report over `period` (`24h`, `7d`, ...) from the shared stream; undefined for a bad period. */
  report(period: string, now?: number): Promise<UsageReport | undefined>;
  /** Sends the analytics records queued so far (shutdown; before a report). */
  flush(): Promise<void>;
  stop(): void;
}

/** Subscribes the observers to `services.callEvents` and opens the analytics stream. */
export async function startObservability(
  nc: NatsConnection,
  services: McpServices,
  options: ObservabilityOptions,
): Promise<Observability> {
  const { registry, callEvents } = services;
  const gatewayId = options.gatewayId ?? `gw-${randomBytes(6).toString('hex')}`;
  const metrics = new GatewayMetrics({ callEvents, registry, inFlight: options.inFlight });
  const recent = new RecentCalls(callEvents);
  const cache = services.resultCache;
  const stopCacheMetrics =
    cache?.onLookup((tool, hit) => (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ tool })) ?? (() => {});
  const store = await AnalyticsStore.open(nc, {
    replicas: options.kvReplicas,
    logger: options.logger.child({ component: 'analytics' }),
  });
  const gpusOf = (nodeId: string | undefined) =>
    nodeId === undefined ? 0 : (registry.node(nodeId)?.advert.capabilities.gpus?.length ?? 0);
  const stopRecording = callEvents.subscribe((event) => {
    const gpus = gpusOf(event.nodeId);
    const record: CallRecord = {
      callId: event.callId,
      tool: event.tool,
      nodeId: event.nodeId ?? null,
      principal: event.principal ?? null,
      via: event.via,
      startedAt: event.startedAt,
      durationMs: event.durationMs,
      outcome: event.outcome,
      errorCode: event.errorCode ?? null,
      argumentsBytes: event.argumentsBytes,
      resultBytes: event.resultBytes,
      gpus,
      cached: event.cached,
      gateway: gatewayId,
      ...(event.chunks === undefined || event.chunks.length === 0
        ? {}
        : {
            chunks: event.chunks.map((run) => ({
              index: run.index,
              nodeId: run.nodeId,
              durationMs: run.durationMs,
              outcome: run.outcome,
              gpus: gpusOf(run.nodeId),
            })),
          }),
    };
    store.record(record);
  });
  const stopReconnects = options.onReconnect?.(() => metrics.natsReconnects.inc()) ?? (() => {});
  return {
    metrics,
    recent,
    services,
    tracing: options.tracing,
    async report(period, now = Date.now()) {
      const span = parsePeriod(period);
      if (span === undefined) return undefined;
      const from = now - span;
      await store.flush();
      const records = (await store.read(from)).filter((record) => record.startedAt >= from && record.startedAt <= now);
      return buildReport(
        records,
        { period, from, to: now },
        options.pricing,
        (tool) => registry.tool(tool)?.providers.length ?? 0,
      );
    },
    flush: () => store.flush(),
    stop() {
      stopRecording();
      stopCacheMetrics();
      stopReconnects();
      recent.stop();
      metrics.stop();
    },
  };
}
