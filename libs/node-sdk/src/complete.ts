import { WireErrorCode, type NodeRpcResponse } from '@easyremote/protocol';
import type { Completer, CompletionContext } from './completion-types.js';
import { isRecord, rpcContext, runRpcHandler, type RpcEnv } from './rpc-operations.js';
import { failure } from './wire-failure.js';

/** MCP caps one completion answer at 100 values. */
export const MAX_COMPLETION_VALUES = 100;

const NO_COMPLETION: NodeRpcResponse = { ok: true, result: { completion: { values: [], total: 0, hasMore: false } } };

type Lookup = { completer: Completer | undefined } | { error: NodeRpcResponse };

function lookup(env: RpcEnv, ref: Record<string, unknown>, argument: string): Lookup {
  if (ref.type === 'ref/prompt') {
    if (typeof ref.name !== 'string') return { error: failure(WireErrorCode.BadRequest, 'a ref/prompt needs a name') };
    const prompt = env.catalog.prompt(ref.name);
    if (prompt === undefined)
      return {
        error: failure(WireErrorCode.NotFound, `node ${env.nodeId} serves no prompt ${JSON.stringify(ref.name)}`),
      };
    return { completer: prompt.complete.get(argument) };
  }
  if (ref.type === 'ref/resource') {
    if (typeof ref.uri !== 'string') return { error: failure(WireErrorCode.BadRequest, 'a ref/resource needs a uri') };
    const template = env.catalog.template(ref.uri);
    if (template !== undefined) return { completer: template.complete.get(argument) };
    // A concrete resource has nothing to complete, which is an empty answer rather than an error.
    if (env.catalog.resource(ref.uri) !== undefined) return { completer: undefined };
    return {
      error: failure(
        WireErrorCode.NotFound,
        `node ${env.nodeId} serves no resource template ${JSON.stringify(ref.uri)}`,
      ),
    };
  }
  return { error: failure(WireErrorCode.BadRequest, `unknown completion ref type ${JSON.stringify(ref.type)}`) };
}

/**
 * `completion/complete { ref, argument: { name, value }, context?: { arguments } }`: answers
 * `{ completion: { values, total, hasMore } }`. No completer for the argument is an empty answer.
 */
export async function complete(env: RpcEnv, params: Readonly<Record<string, unknown>>): Promise<NodeRpcResponse> {
  const { ref, argument, context } = params;
  if (!isRecord(ref)) return failure(WireErrorCode.BadRequest, 'completion/complete needs params.ref');
  if (!isRecord(argument) || typeof argument.name !== 'string' || typeof argument.value !== 'string') {
    return failure(WireErrorCode.BadRequest, 'completion/complete needs params.argument with string name and value');
  }
  const found = lookup(env, ref, argument.name);
  if ('error' in found) return found.error;
  if (found.completer === undefined) return NO_COMPLETION;
  const completer = found.completer;
  const chosen = isRecord(context) && isRecord(context.arguments) ? context.arguments : {};
  const others = Object.freeze(
    Object.fromEntries(
      Object.entries(chosen).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
  );
  const ctx = Object.assign(rpcContext(env, 'completion/complete', false), { arguments: others }) as CompletionContext &
    ReturnType<typeof rpcContext>;
  const what = `the completer of ${JSON.stringify(argument.name)}`;
  const value = argument.value;
  const outcome = await runRpcHandler(env, ctx, what, () => completer(value, ctx));
  if (!outcome.ok) return outcome;
  const values = outcome.value;
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
    return failure(WireErrorCode.InvalidOutput, `${what} must return an array of strings`);
  }
  return {
    ok: true,
    result: {
      completion: {
        values: values.slice(0, MAX_COMPLETION_VALUES),
        total: values.length,
        hasMore: values.length > MAX_COMPLETION_VALUES,
      },
    },
  };
}
