import type { CallerIdentity, Logger } from '@easyremote/protocol';
import type { NodeCatalog } from './node-catalog.js';
import { runHandler, type HandlerOutcome } from './run-handler.js';
import { CallContext, type ClientAccess, type NotificationSink } from './tool-context.js';

/** What a resource read, prompt or completion runs with. */
export interface RpcEnv {
  readonly catalog: NodeCatalog;
  readonly controller: AbortController;
  readonly deadline: number;
  readonly callId: string;
  readonly nodeId: string;
  readonly logger: Logger;
  readonly notify: NotificationSink | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** How reads and prompts reach the client; absent when the request named no client. */
  readonly client: ClientAccess | undefined;
  /** Who the request is for (`NodeRpcRequest.caller`); absent: nobody said. */
  readonly caller?: CallerIdentity | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The context of a read, a prompt or a completer. Completers never ask the client anything (MCP
 * allows input requests on tools/call, resources/read and prompts/get only).
 */
export function rpcContext(env: RpcEnv, operation: string, canAskClient: boolean): CallContext {
  return new CallContext({
    signal: env.controller.signal,
    callId: env.callId,
    deadline: env.deadline,
    nodeId: env.nodeId,
    operation,
    meta: env.meta,
    logger: env.logger,
    notify: env.notify,
    client: canAskClient ? env.client : undefined,
    caller: env.caller,
  });
}

/** Runs a handler with the same deadline, abort and error mapping as a tool call. */
export async function runRpcHandler(
  env: RpcEnv,
  ctx: CallContext,
  what: string,
  handler: () => unknown,
): Promise<HandlerOutcome> {
  try {
    return await runHandler(handler, {
      controller: env.controller,
      deadline: env.deadline,
      what,
      logger: env.logger,
      logFields: { callId: env.callId, operation: what },
    });
  } finally {
    ctx.close();
  }
}
