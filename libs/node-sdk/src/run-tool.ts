import { randomUUID } from 'node:crypto';
import {
  silentLogger,
  type CallerIdentity,
  type CallNotification,
  type CallResponse,
  type Logger,
} from '@easyremote/protocol';
import { compiledTool, type ToolDefinition } from './define-tool.js';
import { executeCall } from './execute-call.js';
import type { ChunkInfo } from './tool-context.js';
import type { ClientAccess } from './tool-context.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

/** A stand-in for the MCP client, for handlers that elicit, sample or list roots. */
export interface SimulatedClient {
  /** What the client declared; default: elicitation (form), sampling and roots. */
  capabilities?: Record<string, unknown>;
  /** Answers one request with the client's result; a throw fails the request. */
  onRequest: (
    method: 'elicitation/create' | 'sampling/createMessage' | 'roots/list',
    params: Record<string, unknown>,
  ) => unknown;
}

export interface RunToolOptions {
  /** Overrides the tool's own timeout (and the 30 s default). */
  timeoutMs?: number;
  /** Aborting it aborts the handler and ends the call. */
  signal?: AbortSignal;
  callId?: string;
  nodeId?: string;
  meta?: Record<string, unknown>;
  logger?: Logger;
  /** Receives the handler's progress and log notifications. */
  onNotification?: (notification: CallNotification) => void;
  /** The client the handler's ctx.elicit/sample/listRoots talk to; without one they fail. */
  client?: SimulatedClient;
  /** Runs the call as this chunk of a fan-out (`ctx.chunk`). */
  chunk?: ChunkInfo;
  /**
   * Who the call is for (`ctx.caller`), as a gateway would say: `{ principal, scopes }`. Omitted,
   * the handler sees no caller, as on a node (`ctx.mayRead` is false for everything).
   */
  caller?: CallerIdentity;
}

const DEFAULT_CAPABILITIES = { elicitation: {}, sampling: {}, roots: {} };

function simulated(client: SimulatedClient | undefined): ClientAccess {
  // No client behaves like a call that did not say who its client is: every request fails the capability check.
  if (client === undefined)
    return { client: undefined, send: () => Promise.reject(new Error('unreachable: no client')) };
  return {
    client: { era: '2025-11-25', capabilities: client.capabilities ?? DEFAULT_CAPABILITIES },
    send: async (request) => client.onRequest(request.method, structuredClone(request.params)),
  };
}

/**
 * Runs a tool in this process exactly as a node would (defaults, validation, deadline, result
 * shaping, error codes) and returns the response envelope — for unit tests of handlers and for
 * in-process use without a mesh.
 */
export async function runTool(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  options: RunToolOptions = {},
): Promise<CallResponse> {
  const compiled = compiledTool(tool);
  const controller = new AbortController();
  const { signal } = options;
  const forward = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  try {
    return await executeCall(compiled, structuredClone(args), {
      callId: options.callId ?? randomUUID(),
      nodeId: options.nodeId ?? 'local',
      deadline: Date.now() + (options.timeoutMs ?? compiled.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS),
      meta: options.meta,
      logger: options.logger ?? silentLogger,
      notify: options.onNotification,
      client: simulated(options.client),
      controller,
      chunk: options.chunk,
      caller: options.caller,
    });
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}
