import { WireErrorCode, type NodeRpcReply } from '@easyremote/protocol';
import { renderingOf } from '../../error-table.js';
import type { NodeRpcOutcome } from '../../routing/node-rpc.js';
import type { McpCallContext, WireParams } from '../call-context.js';
import { ProtocolErrorCode, type HandlerResultTypeMap, type InputRequiredResult } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../protocol-error.js';
import type { McpServices } from '../services.js';
import { callerIdentity } from '../../security/caller-identity.js';

/** What a 2026-era `requestState` carries for a parked prompts/get or resources/read. */
interface RpcResumeState {
  kind: 'mrtr-rpc';
  method: string;
  target: string;
  nodeId: string;
  callId: string;
  /** Who made the request: another credential's retry is refused like a forged state. */
  principal: string | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The methods a node answers for the gateway, and what each returns. */
type NodeMethod = 'prompts/get' | 'resources/read' | 'completion/complete';
type NodeResult<M extends NodeMethod> = Exclude<HandlerResultTypeMap[M], InputRequiredResult>;

/**
 * A node's answer to a resources/prompts/completion request, typed as the SDK's result for the
 * method: node-sdk builds it from those types, and the gateway relays it as it came (the mesh codec
 * checks the envelope; the client's SDK checks the result). Failures become JSON-RPC errors (these
 * methods have no isError form).
 */
export function unwrapNodeResult<M extends NodeMethod>(
  _method: M,
  response: NodeRpcReply,
  what: string,
): NodeResult<M> {
  if (response.ok && 'result' in response) return response.result as NodeResult<M>;
  if (response.ok)
    throw new McpProtocolError(
      ProtocolErrorCode.InternalError,
      `${what} asked for client input this request cannot carry`,
    );
  const { code, message } = response.error;
  const { jsonRpc } = renderingOf(code);
  if (code === WireErrorCode.NotFound) throw new McpProtocolError(jsonRpc, `${what} not found`, { code });
  throw new McpProtocolError(jsonRpc, jsonRpc === ProtocolErrorCode.InvalidParams ? message : `${message} [${code}]`, {
    code,
  });
}

/**
 * Runs a prompts/get or resources/read on a node, or — for a 2026-era retry carrying `requestState` —
 * resumes the one parked there; a node asking for client input becomes an `input_required` result.
 */
export async function runOnNode<M extends 'prompts/get' | 'resources/read'>(
  method: M,
  target: string,
  params: WireParams<M>,
  providers: readonly string[],
  context: McpCallContext,
  services: McpServices,
  what: string,
): Promise<NodeResult<M> | InputRequiredResult> {
  let outcome: NodeRpcOutcome;
  if (context.era === '2026-07-28' && params.requestState !== undefined) {
    const state =
      typeof params.requestState === 'string'
        ? services.sessions.openValue<RpcResumeState>(params.requestState)
        : undefined;
    if (
      !state ||
      state.kind !== 'mrtr-rpc' ||
      state.method !== method ||
      state.target !== target ||
      state.principal !== context.principal
    ) {
      throw new McpProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid requestState: it was not issued by this mesh for this request',
      );
    }
    if (!isPlainObject(params.inputResponses))
      throw new McpProtocolError(
        ProtocolErrorCode.InvalidParams,
        'A retry with requestState needs an "inputResponses" object',
      );
    outcome = await services.nodeRpc.resume(state.nodeId, state.callId, params.inputResponses, context.signal);
  } else {
    const { requestState: _state, inputResponses: _responses, _meta: _meta, ...request } = params;
    const caller = callerIdentity(context.principal, context.access);
    outcome = await services.nodeRpc.call(
      providers,
      { method, params: request },
      { signal: context.signal, client: { era: context.era, capabilities: context.clientCapabilities }, caller },
    );
  }
  const { reply } = outcome;
  if (reply.ok && 'inputRequired' in reply && context.era === '2026-07-28' && outcome.nodeId !== undefined) {
    const state: RpcResumeState = {
      kind: 'mrtr-rpc',
      method,
      target,
      nodeId: outcome.nodeId,
      callId: outcome.callId,
      principal: context.principal,
    };
    return {
      resultType: 'input_required',
      inputRequests: reply.inputRequired as InputRequiredResult['inputRequests'],
      requestState: services.sessions.sealValue(state),
    };
  }
  return unwrapNodeResult(method, reply, what);
}
