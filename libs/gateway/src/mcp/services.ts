import type { Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NodeRpc } from '../routing/node-rpc.js';
import type { CallEvents } from '../pipeline/call-events.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { CallRunner } from '../routing/call-runner.js';
import type { Cancellation } from './cancellation.js';
import type { ChangeStreams } from './change-streams.js';
import type { ClientRequests } from './client-requests.js';
import type { DataSets } from './data-sets.js';
import type { LiveCalls } from './call-context.js';
import type { ToolsListing } from './methods/tools-list.js';
import type { SessionStore } from './session-store.js';
import type { SessionTokens } from './session-token.js';
import type { TaskService } from '../tasks/task-service.js';

/**
 * The collaborators the MCP method handlers use, built once per replica (create-services.ts) and
 * never reassigned: each holds its own state (the live calls, the session store, the listing cache).
 */
export interface McpServices {
  readonly registry: RegistryView;
  /** Dispatch and fan-out: the last stage of the call pipeline (app.ts composes it). */
  readonly runner: CallRunner;
  /** The shared result cache of tools that opt in (`metadata.cacheTtlMs`). */
  readonly resultCache: ResultCache | undefined;
  /** Every finished tool call is announced here (audit, analytics, metrics subscribe). */
  readonly callEvents: CallEvents;
  readonly nodeRpc: NodeRpc;
  /** tools/list of 2026-07-28 clients. */
  readonly listing: ToolsListing;
  /** tools/list of 2025-11-25 clients (with `execution.taskSupport`). */
  readonly legacyListing: ToolsListing;
  readonly live: LiveCalls;
  readonly clientRequests: ClientRequests;
  readonly cancellation: Cancellation;
  readonly streams: ChangeStreams;
  readonly sessions: SessionTokens;
  readonly sessionStore: SessionStore;
  readonly dataSets: DataSets;
  /** Durable tasks: which calls become tasks, their records, the tasks/* methods. */
  readonly tasks: TaskService;
  /** Subject nodes report a call's progress, logs and client requests to. */
  readonly notifySubject: string;
  readonly pageSize: number;
  readonly logger: Logger;
}
