import type { RegistryView } from '@easyremote/registry';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallEvent, CallEvents } from '../pipeline/call-events.js';
import { registerConflictMetrics } from './conflict-metrics.js';

/** Seconds; covers a 1 ms echo up to a long GPU job. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface GatewayMetricsSources {
  callEvents: CallEvents;
  registry: RegistryView;
  /** Tool calls on their way (NATS requests pending on this replica). */
  inFlight: () => number;
}

/** Cached label children kept at most; tools are bounded by the registry, so this is a safety net. */
const MAX_LABEL_CHILDREN = 10_000;

/**
 * The gateway's Prometheus metrics, on its own prom-client registry (never the global one, so tests
 * can build several gateways in one process). Other parts increment the exposed counters:
 * `metrics.rateLimited.inc({ principal })` when a request is refused for its rate limit,
 * `metrics.natsReconnects.inc()` on each reconnect, `metrics.cacheHits`/`cacheMisses` for result caching.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly calls: Counter<'tool' | 'outcome' | 'via'>;
  readonly callErrors: Counter<'tool' | 'code'>;
  readonly callDuration: Histogram<'tool'>;
  readonly rateLimited: Counter<'principal'>;
  readonly natsReconnects: Counter;
  readonly cacheHits: Counter<'tool'>;
  readonly cacheMisses: Counter<'tool'>;
  readonly #unsubscribe: () => void;
  readonly #children = new Map<string, { calls: { inc(): void }; duration: { observe(value: number): void } }>();

  constructor(sources: GatewayMetricsSources, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service: 'easyremote-gateway' });
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'easyremote_gateway_process_' });
    this.calls = new Counter({
      name: 'easyremote_tool_calls_total',
      help: 'Finished tool calls by tool, outcome (success, tool_error, error, cancelled) and front door.',
      labelNames: ['tool', 'outcome', 'via'],
      registers,
    });
    this.callErrors = new Counter({
      name: 'easyremote_tool_call_errors_total',
      help: 'Tool calls that did not succeed, by tool and error code.',
      labelNames: ['tool', 'code'],
      registers,
    });
    this.callDuration = new Histogram({
      name: 'easyremote_tool_call_duration_seconds',
      help: 'Tool call duration as the gateway saw it.',
      labelNames: ['tool'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.rateLimited = new Counter({
      name: 'easyremote_rate_limited_total',
      help: 'Requests refused by a rate limit, by principal.',
      labelNames: ['principal'],
      registers,
    });
    this.natsReconnects = new Counter({
      name: 'easyremote_nats_reconnects_total',
      help: 'Reconnections to NATS since start.',
      registers,
    });
    this.cacheHits = new Counter({
      name: 'easyremote_cache_hits_total',
      help: 'Tool calls answered from the shared result cache.',
      labelNames: ['tool'],
      registers,
    });
    this.cacheMisses = new Counter({
      name: 'easyremote_cache_misses_total',
      help: 'Cacheable tool calls that had to run.',
      labelNames: ['tool'],
      registers,
    });
    new Gauge({
      name: 'easyremote_calls_in_flight',
      help: 'Tool calls in flight on this gateway.',
      registers,
      collect() {
        this.set(sources.inFlight());
      },
    });
    new Gauge({
      name: 'easyremote_registry_tools',
      help: 'Distinct tools in the registry.',
      registers,
      collect() {
        this.set(sources.registry.tools().length);
      },
    });
    new Gauge({
      name: 'easyremote_registry_nodes',
      help: 'Live compute nodes in the registry.',
      registers,
      collect() {
        this.set(sources.registry.nodes().size);
      },
    });
    new Gauge({
      name: 'easyremote_tool_providers',
      help: 'Nodes serving each tool.',
      labelNames: ['tool'],
      registers,
      collect() {
        this.reset();
        for (const tool of sources.registry.tools()) this.set({ tool: tool.name }, tool.providers.length);
      },
    });
    registerConflictMetrics(sources.registry, registers);
    this.#unsubscribe = sources.callEvents.subscribe((event) => this.#observe(event));
  }

  #observe(event: CallEvent): void {
    // Label children are looked up once per label combination: prom-client hashes the label object on
    // every inc/observe, which showed at ~1% of the gateway's time per call.
    const key = `${event.tool}\u0000${event.outcome}\u0000${event.via}`;
    let children = this.#children.get(key);
    if (children === undefined) {
      if (this.#children.size >= MAX_LABEL_CHILDREN) this.#children.clear();
      children = {
        calls: this.calls.labels({ tool: event.tool, outcome: event.outcome, via: event.via }),
        duration: this.callDuration.labels({ tool: event.tool }),
      };
      this.#children.set(key, children);
    }
    children.calls.inc();
    children.duration.observe(event.durationMs / 1000);
    if (event.outcome !== 'success') this.callErrors.inc({ tool: event.tool, code: event.errorCode ?? event.outcome });
  }

  /** Prometheus text exposition format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stop(): void {
    this.#unsubscribe();
  }
}
