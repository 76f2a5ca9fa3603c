import { randomUUID } from 'node:crypto';
import { toolSubject, type CallResult, type Logger, type WireError } from '@easyremote/protocol';
import { invokeTool, isMeshError, MeshErrorCode, type RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { ArgumentValidator } from './argument-validator.js';

/** How long the gateway waits past a call's deadline for the node's own "deadline exceeded" reply. */
const DEADLINE_GRACE_MS = 1_000;

export interface InvokeRequest {
  tool: string;
  arguments: Record<string, unknown>;
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Subject the node should publish progress/log notifications to. */
  notifySubject?: string;
  callId?: string;
}

/**
 * The outcome of a call that reached the routing stage. Tool-level failures (bad arguments, a
 * handler error, a timeout, no node left) are outcomes, not exceptions: MCP renders them as
 * `isError` results, REST as HTTP statuses.
 */
export type InvokeOutcome =
  | { ok: true; result: CallResult; nodeId: string | undefined; callId: string }
  | { ok: false; error: WireError; nodeId: string | undefined; callId: string };

export interface ToolInvokerDeps {
  registry: RegistryView;
  rpc: RpcClient;
  validator: ArgumentValidator;
  defaultTimeoutMs: number;
  logger: Logger;
}

/** Routes one tool call from any front door (MCP, REST) to a node over NATS. */
export class ToolInvoker {
  readonly #deps: ToolInvokerDeps;

  constructor(deps: ToolInvokerDeps) {
    this.#deps = deps;
  }

  /** Throws GatewayError ToolNotFound / PayloadTooLarge / Unavailable; everything else is an outcome. */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const { registry, rpc, validator, defaultTimeoutMs } = this.#deps;
    const callId = request.callId ?? randomUUID();
    const entry = registry.tool(request.tool);
    if (!entry) {
      throw new GatewayError(GatewayErrorCode.ToolNotFound, `Unknown tool: ${request.tool}`);
    }
    const problems = validator.check(entry.descriptor, request.arguments);
    if (problems !== undefined) {
      return failure(callId, GatewayErrorCode.InvalidArguments, `Invalid arguments for tool ${request.tool}: ${problems}`);
    }
    const timeoutMs = entry.descriptor.timeoutMs ?? defaultTimeoutMs;
    try {
      const { response, nodeId } = await invokeTool(
        rpc,
        toolSubject(request.tool),
        { tool: request.tool, arguments: request.arguments, ...(request.meta ? { meta: request.meta } : {}) },
        {
          timeoutMs: timeoutMs + DEADLINE_GRACE_MS,
          deadline: Date.now() + timeoutMs,
          callId,
          ...(request.notifySubject ? { notifySubject: request.notifySubject } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        },
      );
      if (!response.ok) return { ok: false, error: response.error, nodeId, callId };
      if ('inputRequired' in response) {
        return failure(callId, GatewayErrorCode.BadNodeReply, `Tool ${request.tool} asked for client input, which this call path does not relay yet`);
      }
      return { ok: true, result: response.result, nodeId, callId };
    } catch (error) {
      return this.#meshFailure(error, request.tool, entry.providers, timeoutMs, callId);
    }
  }

  #meshFailure(error: unknown, tool: string, providers: readonly string[], timeoutMs: number, callId: string): InvokeOutcome {
    if (isMeshError(error, MeshErrorCode.NoResponders)) {
      // Nobody subscribes to the tool's subject, so every advertised provider is gone; they come back
      // with their next heartbeat if they are alive after all.
      for (const nodeId of providers) this.#deps.registry.forgetNode(nodeId);
      return failure(callId, GatewayErrorCode.NoNode, `No node is serving tool ${tool} right now`);
    }
    if (isMeshError(error, MeshErrorCode.Timeout)) {
      return failure(callId, GatewayErrorCode.Timeout, `Tool ${tool} did not answer within ${timeoutMs} ms`);
    }
    if (isMeshError(error, MeshErrorCode.Cancelled)) {
      return failure(callId, GatewayErrorCode.Cancelled, `Call to ${tool} was cancelled`);
    }
    if (isMeshError(error, MeshErrorCode.PayloadTooLarge)) {
      throw new GatewayError(GatewayErrorCode.PayloadTooLarge, (error as Error).message, { cause: error });
    }
    if (isMeshError(error, MeshErrorCode.Closed)) {
      throw new GatewayError(GatewayErrorCode.Unavailable, 'The gateway is not connected to the mesh', { cause: error });
    }
    this.#deps.logger.error({ err: error, tool, callId }, 'undecodable reply from node');
    return failure(callId, GatewayErrorCode.BadNodeReply, `The node serving ${tool} sent a reply the gateway could not read`);
  }
}

function failure(callId: string, code: string, message: string): InvokeOutcome {
  return { ok: false, error: { code, message }, nodeId: undefined, callId };
}
