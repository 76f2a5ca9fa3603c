import { randomUUID } from 'node:crypto';
import { renderingOf } from '../../error-table.js';
import { GatewayErrorCode } from '../../errors.js';
import type { CallOutcome, CallPipeline } from '../../pipeline/call-pipeline.js';
import type { McpCallContext, WireParams } from '../call-context.js';
import { ProtocolErrorCode, type CallToolResult, type InputRequiredResult } from '@modelcontextprotocol/server';
import { McpProtocolError, RequestCancelled } from '../protocol-error.js';
import { renderOutcome } from './render-outcome.js';
import { retryOf, type PlannedTask } from '../../tasks/task-service.js';
import { callerIdentity } from '../../security/caller-identity.js';
import type { McpServices } from '../services.js';

/** What a tools/call reads of the replica's services: the rest is the pipeline's. */
type CallServices = Pick<McpServices, 'live' | 'clientRequests' | 'sessions' | 'notifySubject' | 'registry' | 'tasks'>;

/** What a 2026-era `requestState` carries between the legs of a multi-round-trip call. */
interface ResumeState {
  kind: 'mrtr';
  tool: string;
  nodeId: string;
  callId: string;
  /** Who started the call: another credential's retry is refused like a forged state. */
  principal: string | undefined;
  /** The task the call becomes once its handler starts it (a tool that gathers input first). */
  task?: PlannedTask | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function progressTokenOf(meta: Record<string, unknown> | undefined): string | number | undefined {
  const token = meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

/**
 * `tools/call`: checks the params' shape, registers the call so node notifications, client requests
 * and cancellations can find it, runs it through the call pipeline, and renders the outcome. A
 * 2026-era retry carrying `requestState` resumes the handler parked on its node.
 */
export async function callTool(
  params: WireParams<'tools/call'>,
  context: McpCallContext,
  services: CallServices,
  calls: CallPipeline,
): Promise<CallToolResult | InputRequiredResult> {
  const name = params.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'tools/call needs a string "name"');
  }
  const args = params.arguments ?? {};
  if (!isPlainObject(args)) {
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'tools/call "arguments" must be an object');
  }
  const meta = isPlainObject(params._meta) ? params._meta : undefined;
  const resume =
    context.era === '2026-07-28' && params.requestState !== undefined
      ? openResumeState(params, name, context.principal, services)
      : undefined;
  const callId = resume?.callId ?? randomUUID();
  // Decided on the first leg; a retry carries the task in its requestState.
  const task =
    resume === undefined
      ? services.tasks.taskFor(services.registry.tool(name)?.descriptor, context, params.task)
      : resume.task;
  // The request's own controller: the client leaving and a cancellation (from any replica) both abort it.
  const controller = context.controller;
  const progressToken = progressTokenOf(meta);
  services.live.add({
    callId,
    owner: context.sid,
    requestId: context.requestId,
    era: context.era,
    channel: context.channel,
    controller,
    progressToken,
    logLevel: context.logLevel,
  });
  let outcome: CallOutcome;
  try {
    outcome = await calls.run({
      tool: name,
      arguments: args,
      callId,
      via: `mcp-${context.era}` as const,
      principal: context.principal,
      access: context.access,
      meta,
      signal: controller.signal,
      notifySubject: services.notifySubject,
      client: { era: context.era, capabilities: context.clientCapabilities },
      onProgress: fanoutProgress(context, progressToken),
      resume: resume && { nodeId: resume.nodeId, inputResponses: inputResponsesOf(params) },
      task,
    });
  } finally {
    services.live.remove(callId);
    services.clientRequests.abandon(callId);
  }
  if (outcome.kind === 'task' && task !== undefined) {
    return (await services.tasks.created({
      task,
      tool: name,
      nodeId: outcome.nodeId,
      callId: outcome.callId,
      principal: context.principal,
      era: context.era,
      retry: retryOf(
        services.registry.tool(name)?.descriptor,
        args,
        callerIdentity(context.principal, context.access),
        {
          era: context.era,
          capabilities: context.clientCapabilities,
        },
      ),
    })) as unknown as CallToolResult;
  }
  return renderMcpOutcome(outcome, name, context, services, task);
}

/** An outcome as the MCP answer: a result, an `isError` result, `input_required`, or a JSON-RPC error. */
function renderMcpOutcome(
  outcome: CallOutcome,
  tool: string,
  context: McpCallContext,
  services: CallServices,
  task: PlannedTask | undefined,
): CallToolResult | InputRequiredResult {
  if (outcome.kind === 'failed') {
    const rendering = renderingOf(outcome.error.code);
    // A failure that is not the tool's (refused, over the payload limit, unaudited) is a JSON-RPC error.
    if (!rendering.toolError) {
      for (const [header, value] of Object.entries(outcome.headers ?? {})) context.setHeader?.(header, value);
      const { code, message, data } = outcome.error;
      throw new McpProtocolError(
        rendering.jsonRpc,
        message,
        { code, ...(isPlainObject(data) ? data : {}) },
        rendering.mcpHttp,
      );
    }
  }
  if (context.signal.aborted) throw new RequestCancelled();
  if (outcome.kind === 'input') {
    const state: ResumeState = {
      kind: 'mrtr',
      tool,
      nodeId: outcome.nodeId,
      callId: outcome.callId,
      principal: context.principal,
      ...(task === undefined ? {} : { task }),
    };
    return {
      resultType: 'input_required',
      // The node's input requests, relayed as it built them with node-sdk (the SDK's shapes).
      inputRequests: outcome.inputRequests as InputRequiredResult['inputRequests'],
      requestState: services.sessions.sealValue(state),
    };
  }
  if (outcome.kind === 'task') {
    const message = `node ${outcome.nodeId} started a task the call did not ask for`;
    throw new McpProtocolError(ProtocolErrorCode.InternalError, message, { code: GatewayErrorCode.BadNodeReply });
  }
  return renderOutcome(outcome);
}

function openResumeState(
  params: WireParams<'tools/call'>,
  tool: string,
  principal: string | undefined,
  services: CallServices,
): ResumeState {
  const token = params.requestState;
  const state = typeof token === 'string' ? services.sessions.openValue<ResumeState>(token) : undefined;
  if (!state || state.kind !== 'mrtr' || state.tool !== tool || state.principal !== principal) {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'Invalid requestState: it was not issued by this mesh for this tool',
    );
  }
  return state;
}

function inputResponsesOf(params: WireParams<'tools/call'>): Record<string, unknown> {
  if (!isPlainObject(params.inputResponses)) {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'A retry with requestState needs an "inputResponses" object',
    );
  }
  return params.inputResponses;
}

/** Fan-out progress (one step per finished chunk) as notifications/progress, when the client gave a token. */
function fanoutProgress(
  context: McpCallContext,
  progressToken: string | number | undefined,
): ((progress: number, total: number, message: string) => void) | undefined {
  if (progressToken === undefined) return undefined;
  return (progress, total, message) =>
    context.channel.send({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken, progress, total, message },
    });
}
