import type { PayloadStore } from '@easyremote/mesh';
import type { Logger } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CallSession } from './call-session.js';
import type { DeadlineWatch } from './deadline-watch.js';
import type { LoadStats } from './load-stats.js';
import type { NodeCatalog } from './node-catalog.js';
import type { RunningCalls } from './running-calls.js';
import type { TaskStateWriter } from './task-state-writer.js';

/**
 * What the message handlers read of their node, built once at start. Nothing here is reassigned:
 * each piece of mutable state has one owner (the running calls, the catalog, the load averages).
 */
export interface NodeRuntime {
  readonly nc: NatsConnection;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly defaultTimeoutMs: number;
  readonly catalog: NodeCatalog;
  /** Every request running on this node, and whether it admits new ones (owns that state). */
  readonly calls: RunningCalls<CallSession>;
  /** Large request and reply bodies (`Er-Payload`); undefined when JetStream is unreachable. */
  readonly payloads: PayloadStore | undefined;
  /** One timer for the deadlines of every tool call running here. */
  readonly deadlines: DeadlineWatch;
  /** Latency and error-rate averages advertised with each heartbeat. */
  readonly load: LoadStats;
  /** Where the tasks this node runs keep their states (bound on the first task call). */
  readonly tasks: TaskStateWriter;
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
