import { type CallerIdentity, type Logger, type NodeRpcReply, WireErrorCode } from '@easyremote/protocol';
import type { NodeCatalog } from './node-catalog.js';
import { shapePrompt } from './prompt-messages.js';
import { shapeContents } from './resource-contents.js';
import { type HandlerOutcome, runHandler } from './run-handler.js';
import { CallContext, type ClientAccess, type NotificationSink } from './tool-context.js';
import { failure } from './wire-failure.js';

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

/**
 * `resources/read { uri }`: the resource registered with exactly that URI, else the first template
 * (in registration order) that matches it. Answers `{ contents: [...] }`.
 */
export async function readResource(env: RpcEnv, params: Readonly<Record<string, unknown>>): Promise<NodeRpcReply> {
  const { uri } = params;
  if (typeof uri !== 'string' || uri === '')
    return failure(WireErrorCode.BadRequest, 'resources/read needs params.uri, a non-empty string');
  const ctx = rpcContext(env, 'resources/read', true);
  let read: () => unknown;
  let mimeType: string | undefined;
  const resource = env.catalog.resource(uri);
  if (resource !== undefined) {
    read = () => resource.read(uri, ctx);
    mimeType = resource.mimeType;
  } else {
    const match = env.catalog.matchTemplate(uri);
    if (match === undefined)
      return failure(WireErrorCode.NotFound, `node ${env.nodeId} serves no resource matching ${JSON.stringify(uri)}`);
    read = () => match.template.read(uri, match.variables, ctx);
    mimeType = match.template.mimeType;
  }
  const outcome = await runRpcHandler(env, ctx, `resources/read of ${JSON.stringify(uri)}`, read);
  if (!outcome.ok) return outcome;
  try {
    return { ok: true, result: { contents: shapeContents(outcome.value, uri, mimeType) } };
  } catch (error) {
    return failure(
      WireErrorCode.InvalidOutput,
      `resource ${JSON.stringify(uri)} returned invalid contents: ${(error as Error).message}`,
    );
  }
}

/** `prompts/get { name, arguments? }`: answers `{ description?, messages }`. */
export async function getPrompt(env: RpcEnv, params: Readonly<Record<string, unknown>>): Promise<NodeRpcReply> {
  const { name } = params;
  if (typeof name !== 'string' || name === '')
    return failure(WireErrorCode.BadRequest, 'prompts/get needs params.name, a non-empty string');
  const prompt = env.catalog.prompt(name);
  if (prompt === undefined)
    return failure(WireErrorCode.NotFound, `node ${env.nodeId} serves no prompt ${JSON.stringify(name)}`);
  const args = params.arguments ?? {};
  if (!isRecord(args))
    return failure(
      WireErrorCode.InvalidArguments,
      `the arguments of prompt ${JSON.stringify(name)} must be an object of strings`,
    );
  const notStrings = Object.keys(args).filter((key) => args[key] !== undefined && typeof args[key] !== 'string');
  if (notStrings.length > 0) {
    return failure(
      WireErrorCode.InvalidArguments,
      `the arguments of prompt ${JSON.stringify(name)} must be strings: ${notStrings.join(', ')} ${notStrings.length === 1 ? 'is' : 'are'} not`,
    );
  }
  const missing = prompt.required.filter((key) => args[key] === undefined);
  if (missing.length > 0) {
    return failure(
      WireErrorCode.InvalidArguments,
      `prompt ${JSON.stringify(name)} is missing required argument${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
    );
  }
  const ctx = rpcContext(env, 'prompts/get', true);
  const frozen = Object.freeze({ ...(args as Record<string, string>) });
  const outcome = await runRpcHandler(env, ctx, `prompt ${JSON.stringify(name)}`, () => prompt.get(frozen, ctx));
  if (!outcome.ok) return outcome;
  try {
    return { ok: true, result: shapePrompt(outcome.value) as unknown as Record<string, unknown> };
  } catch (error) {
    return failure(
      WireErrorCode.InvalidOutput,
      `prompt ${JSON.stringify(name)} returned an invalid result: ${(error as Error).message}`,
    );
  }
}
