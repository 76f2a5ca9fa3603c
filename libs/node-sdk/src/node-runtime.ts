import type { PayloadStore } from '@easyremote/mesh';
import type { Logger } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CallSession } from './call-session.js';
import type { DeadlineWatch } from './deadline-watch.js';
import type { LoadStats } from './load-stats.js';
import type { NodeCatalog } from './node-catalog.js';

/** The node state the message handlers read; owned and mutated by ComputeNode. */
export interface NodeRuntime {
  readonly nc: NatsConnection;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly maxConcurrency: number;
  readonly defaultTimeoutMs: number;
  readonly catalog: NodeCatalog;
  /**
   * Every request running on this node (tool calls, parked 2026-era calls, resource reads, prompts,
   * completions) by call id: how a cancel or a resume finds its call. Its size is the in-flight count.
   */
  readonly calls: Map<string, CallSession>;
  /** Large request and reply bodies (`Er-Payload`); undefined when JetStream is unreachable. */
  readonly payloads: PayloadStore | undefined;
  /** One timer for the deadlines of every tool call running here. */
  readonly deadlines: DeadlineWatch;
  /** Latency and error-rate averages advertised with each heartbeat. */
  readonly load: LoadStats;
  accepting: boolean;
  /** Called whenever a request ends, so stop() can wait for the node to drain. */
  onCallEnd: (() => void) | undefined;
  /** Observers of finished tool calls (metrics): see ComputeNode.onCallFinished. */
  readonly callObservers: ReadonlySet<(call: FinishedCall) => void>;
}

/** One finished tool call on this node, as observers (metrics) see it. */
export interface FinishedCall {
  tool: string;
  durationMs: number;
  ok: boolean;
  /** The wire error code when the call failed; `tool_error` for an `isError` result. */
  errorCode: string | undefined;
}
