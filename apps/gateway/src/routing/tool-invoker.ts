import { randomUUID } from 'node:crypto';
import {
  CANCEL_SUBJECT,
  decodeCallResponse,
  encodeJson,
  nodeResumeSubject,
  toolSubject,
  type CallRequest,
  type CallResponse,
  type CallResult,
  type InputRequest,
  type Logger,
  type WireError,
} from '@easyremote/protocol';
import { invokeTool, isMeshError, MeshErrorCode, type RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { ArgumentValidator } from './argument-validator.js';

/** How long the gateway waits past a call's deadline for the node's own "deadline exceeded" reply. */
const DEADLINE_GRACE_MS = 1_000;

export interface InvokeRequest {
  tool: string;
  arguments: Record<string, unknown>;
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Subject the node should publish progress/log notifications and client requests to. */
  notifySubject?: string;
  client?: CallRequest['client'];
  callId?: string;
}

/**
 * The outcome of a call that reached the routing stage. Tool-level failures (bad arguments, a
 * handler error, a timeout, no node left) are outcomes, not exceptions: MCP renders them as
 * `isError` results, REST as HTTP statuses. `input` is a 2026-era handler waiting for client input.
 */
export type InvokeOutcome =
  | { ok: true; result: CallResult; nodeId: string | undefined; callId: string }
  | { ok: false; error: WireError; nodeId: string | undefined; callId: string }
  | { ok: 'input'; inputRequired: Record<string, InputRequest>; nodeId: string; callId: string };

export interface ToolInvokerDeps {
  nc: NatsConnection;
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
    const stopCancelling = this.#forwardCancellation(request.signal, callId);
    try {
      const { response, nodeId } = await invokeTool(
        rpc,
        toolSubject(request.tool),
        {
          tool: request.tool,
          arguments: request.arguments,
          ...(request.meta ? { meta: request.meta } : {}),
          ...(request.client ? { client: request.client } : {}),
        },
        {
          timeoutMs: timeoutMs + DEADLINE_GRACE_MS,
          deadline: Date.now() + timeoutMs,
          callId,
          ...(request.notifySubject ? { notifySubject: request.notifySubject } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        },
      );
      return toOutcome(response, nodeId, callId);
    } catch (error) {
      return this.#meshFailure(error, request.tool, entry.providers, timeoutMs, callId);
    } finally {
      stopCancelling();
    }
  }

  /** Continues a 2026-era call parked on `nodeId` with the client's input. */
  async resume(request: { tool: string; nodeId: string; callId: string; inputResponses: Record<string, unknown>; signal?: AbortSignal }): Promise<InvokeOutcome> {
    const entry = this.#deps.registry.tool(request.tool);
    const timeoutMs = (entry?.descriptor.timeoutMs ?? this.#deps.defaultTimeoutMs) + DEADLINE_GRACE_MS;
    const stopCancelling = this.#forwardCancellation(request.signal, request.callId);
    try {
      const reply = await this.#deps.rpc.request(
        nodeResumeSubject(request.nodeId),
        encodeJson({ callId: request.callId, inputResponses: request.inputResponses }),
        { timeoutMs, ...(request.signal ? { signal: request.signal } : {}) },
      );
      return toOutcome(decodeCallResponse(reply.data), request.nodeId, request.callId);
    } catch (error) {
      return this.#meshFailure(error, request.tool, [], timeoutMs, request.callId);
    } finally {
      stopCancelling();
    }
  }

  /** When the caller gives up (client cancelled or disconnected), tell whichever node runs the call. */
  #forwardCancellation(signal: AbortSignal | undefined, callId: string): () => void {
    if (!signal) return () => {};
    const onAbort = () => {
      const reason = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
      this.#deps.nc.publish(CANCEL_SUBJECT, encodeJson({ callId, reason }));
    };
    if (signal.aborted) {
      onAbort();
      return () => {};
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
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

function toOutcome(response: CallResponse, nodeId: string | undefined, callId: string): InvokeOutcome {
  if (!response.ok) return { ok: false, error: response.error, nodeId, callId };
  if ('inputRequired' in response) {
    if (nodeId === undefined) return failure(callId, GatewayErrorCode.BadNodeReply, 'a node asked for input without naming itself');
    return { ok: 'input', inputRequired: response.inputRequired, nodeId, callId };
  }
  return { ok: true, result: response.result, nodeId, callId };
}

function failure(callId: string, code: string, message: string): InvokeOutcome {
  return { ok: false, error: { code, message }, nodeId: undefined, callId };
}
