import { WireErrorCode, type NodeRpcReply } from '@easyremote/protocol';
import { shapePrompt } from './prompt-messages.js';
import { isRecord, rpcContext, runRpcHandler, type RpcEnv } from './rpc-env.js';
import { failure } from './wire-failure.js';

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
