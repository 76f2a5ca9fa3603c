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

/** Everything the MCP method handlers use, built once per gateway (see start.ts). */
export interface McpServices {
  registry: RegistryView;
  /** Dispatch and fan-out: the last stage of the call pipeline (app.ts composes it). */
  runner: CallRunner;
  /** The shared result cache of tools that opt in (`metadata.cacheTtlMs`). */
  resultCache: ResultCache | undefined;
  /** Every finished tool call is announced here (audit, analytics, metrics subscribe). */
  callEvents: CallEvents;
  nodeRpc: NodeRpc;
  listing: ToolsListing;
  live: LiveCalls;
  clientRequests: ClientRequests;
  cancellation: Cancellation;
  streams: ChangeStreams;
  sessions: SessionTokens;
  sessionStore: SessionStore;
  dataSets: DataSets;
  /** Subject nodes report a call's progress, logs and client requests to. */
  notifySubject: string;
  pageSize: number;
  logger: Logger;
}
