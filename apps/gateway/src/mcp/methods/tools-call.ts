import { randomUUID } from 'node:crypto';
import { MetaKey } from '@easyremote/protocol';
import { renderingOf } from '../../error-table.js';
import { GatewayErrorCode } from '../../errors.js';
import { jsonBytes } from '../../routing/call-events.js';
import { callerIdentity } from '../../security/caller-identity.js';
import type { InvokeOutcome } from '../../routing/tool-invoker.js';
import type { McpCallContext } from '../call-context.js';
import { rethrowAsProtocolError } from '../error-mapping.js';
import { JsonRpcCode, McpProtocolError, RequestCancelled } from '../jsonrpc.js';
import type { McpServices } from '../services.js';

/** `_meta` key naming the node that served a call. */
export const NODE_META_KEY = 'easyremote/node';
/** `_meta` key carrying the stable error code of a failed call. */
export const ERROR_META_KEY = 'easyremote/error';

/** What a 2026-era `requestState` carries between the legs of a multi-round-trip call. */
interface ResumeState {
  kind: 'mrtr';
  tool: string;
  nodeId: string;
  callId: string;
  /** Who started the call: another credential's retry is refused like a forged state. */
  principal: string | undefined;
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
 * and cancellations can find it, routes it, and renders the MCP result. A 2026-era retry carrying
 * `requestState` resumes the handler parked on its node instead of starting a new call.
 */
export async function callTool(
  params: Record<string, unknown>,
  context: McpCallContext,
  services: McpServices,
): Promise<Record<string, unknown>> {
  const name = params.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, 'tools/call needs a string "name"');
  }
  const args = params.arguments ?? {};
  if (!isPlainObject(args)) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, 'tools/call "arguments" must be an object');
  }
  const meta = isPlainObject(params._meta) ? params._meta : undefined;
  const resume =
    context.era === 'modern' && params.requestState !== undefined
      ? openResumeState(params, name, context.principal, services)
      : undefined;
  const callId = resume?.callId ?? randomUUID();
  // The request's own controller: the client leaving and a cancellation (from any replica) both abort it.
  const controller = context.controller;
  services.live.add({
    callId,
    owner: context.sid,
    requestId: context.requestId,
    era: context.era,
    channel: context.channel,
    controller,
    progressToken: progressTokenOf(meta),
    logLevel: context.logLevel,
  });
  const startedAt = Date.now();
  let outcome: InvokeOutcome | undefined;
  let recorded: Promise<void> | undefined;
  try {
    outcome = resume
      ? await services.invoker.resume({
          tool: name,
          nodeId: resume.nodeId,
          callId,
          inputResponses: inputResponsesOf(params),
          signal: controller.signal,
        })
      : await services.invoker.invoke({
          tool: name,
          arguments: args,
          callId,
          signal: controller.signal,
          notifySubject: services.notifySubject,
          client: { era: context.era, capabilities: context.clientCapabilities },
          caller: callerIdentity(context.principal, context.access),
          ...(meta ? { meta } : {}),
          ...fanoutProgress(context, progressTokenOf(meta)),
        });
  } catch (error) {
    rethrowAsProtocolError(error);
  } finally {
    services.live.remove(callId);
    services.clientRequests.abandon(callId);
    if (services.callEvents.observed && outcome?.ok !== 'input') {
      recorded = services.callEvents.emit({
        callId,
        tool: name,
        nodeId: outcome?.nodeId,
        principal: context.principal,
        via: context.era === 'modern' ? 'mcp-modern' : 'mcp-legacy',
        startedAt,
        durationMs: Date.now() - startedAt,
        outcome: controller.signal.aborted
          ? 'cancelled'
          : outcome === undefined || outcome.ok === false
            ? 'error'
            : outcome.result.isError
              ? 'tool_error'
              : 'success',
        errorCode: outcome?.ok === false ? outcome.error.code : undefined,
        argumentsBytes: jsonBytes(args),
        resultBytes: outcome?.ok === true ? jsonBytes(outcome.result) : 0,
        arguments: args,
        chunks: outcome?.chunks,
      });
    }
  }
  // The audit record is stored before the caller learns anything (ADR 0014); without it, no answer.
  if (recorded !== undefined) await recorded.catch(auditFailed);
  if (controller.signal.aborted) throw new RequestCancelled();
  if (outcome.ok === false) {
    // A failure that is not the tool's (over the payload limit, say) is a JSON-RPC error, never a result.
    const rendering = renderingOf(outcome.error.code);
    if (!rendering.toolError)
      throw new McpProtocolError(rendering.jsonRpc, outcome.error.message, {
        code: outcome.error.code,
        ...(isPlainObject(outcome.error.data) ? outcome.error.data : {}),
      });
  }
  if (outcome.ok === 'input') {
    const state: ResumeState = {
      kind: 'mrtr',
      tool: name,
      nodeId: outcome.nodeId,
      callId: outcome.callId,
      principal: context.principal,
    };
    return {
      resultType: 'input_required',
      inputRequests: outcome.inputRequired,
      requestState: services.sessions.sealValue(state),
    };
  }
  return renderOutcome(outcome);
}

function openResumeState(
  params: Record<string, unknown>,
  tool: string,
  principal: string | undefined,
  services: McpServices,
): ResumeState {
  const token = params.requestState;
  const state = typeof token === 'string' ? services.sessions.openValue<ResumeState>(token) : undefined;
  if (!state || state.kind !== 'mrtr' || state.tool !== tool || state.principal !== principal) {
    throw new McpProtocolError(
      JsonRpcCode.InvalidParams,
      'Invalid requestState: it was not issued by this mesh for this tool',
    );
  }
  return state;
}

function inputResponsesOf(params: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(params.inputResponses)) {
    throw new McpProtocolError(JsonRpcCode.InvalidParams, 'A retry with requestState needs an "inputResponses" object');
  }
  return params.inputResponses;
}

/** Fan-out progress (one step per finished chunk) as notifications/progress, when the client gave a token. */
function fanoutProgress(
  context: McpCallContext,
  progressToken: string | number | undefined,
): { onProgress?: (progress: number, total: number, message: string) => void } {
  if (progressToken === undefined) return {};
  return {
    onProgress: (progress, total, message) =>
      context.channel.send({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken, progress, total, message },
      }),
  };
}

/** A call outcome as an MCP CallToolResult: failures become `isError` results the model can read. */
export function renderOutcome(outcome: Exclude<InvokeOutcome, { ok: 'input' }>): Record<string, unknown> {
  if (outcome.ok) {
    const result: Record<string, unknown> = { ...outcome.result };
    if (outcome.nodeId !== undefined)
      result._meta = { ...(outcome.result._meta ?? {}), [NODE_META_KEY]: outcome.nodeId };
    if (outcome.attempts !== undefined)
      result._meta = { ...(result._meta as Record<string, unknown> | undefined), [MetaKey.attempts]: outcome.attempts };
    return result;
  }
  const { code, message } = outcome.error;
  const meta: Record<string, unknown> = {
    [ERROR_META_KEY]: { code, message, ...(outcome.error.data === undefined ? {} : { data: outcome.error.data }) },
  };
  if (outcome.attempts !== undefined) meta[MetaKey.attempts] = outcome.attempts;
  if (outcome.nodeId !== undefined) meta[NODE_META_KEY] = outcome.nodeId;
  const text = code === GatewayErrorCode.InvalidArguments ? message : `${message} [${code}]`;
  return { content: [{ type: 'text', text }], isError: true, _meta: meta };
}

function auditFailed(error: unknown): never {
  throw new McpProtocolError(
    renderingOf(GatewayErrorCode.AuditFailed).jsonRpc,
    'The call ran, but its audit record could not be stored, so its answer is withheld',
    {
      code: GatewayErrorCode.AuditFailed,
      cause: error instanceof Error ? error.message : String(error),
    },
  );
}
