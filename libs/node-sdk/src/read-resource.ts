import { WireErrorCode, type NodeRpcReply } from '@easyremote/protocol';
import { shapeContents } from './resource-contents.js';
import { rpcContext, runRpcHandler, type RpcEnv } from './rpc-env.js';
import { failure } from './wire-failure.js';

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
