import { COMPUTE_PREFIX, DATA_PREFIX } from '../builtin-resources.js';
import type { McpCallContext } from '../call-context.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../protocol-error.js';
import type { McpServices } from '../services.js';
import { unwrapNodeResult } from './node-result.js';
import { callerIdentity } from '../../security/caller-identity.js';

const MAX_VALUES = 100;

function completion(values: string[]): Record<string, unknown> {
  return {
    completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES },
  };
}

/**
 * `completion/complete`: prompt arguments and template variables are completed by a node that serves
 * the prompt or template; the built-in templates (compute nodes, data sets) are completed here.
 */
export async function complete(
  params: Record<string, unknown>,
  context: McpCallContext,
  services: McpServices,
): Promise<Record<string, unknown>> {
  const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
  const argument = params.argument as { name?: unknown; value?: unknown } | undefined;
  if (!ref || typeof argument?.name !== 'string' || typeof argument.value !== 'string') {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'completion/complete needs "ref" and "argument" { name, value }',
    );
  }
  const prefix = argument.value;
  let providers: readonly string[] | undefined;
  if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
    providers = services.registry.prompt(ref.name)?.providers;
    if (!providers) throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
  } else if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
    if (ref.uri === `${COMPUTE_PREFIX}{nodeId}`)
      return completion([...services.registry.nodes().keys()].filter((id) => id.startsWith(prefix)).sort());
    if (ref.uri === `${DATA_PREFIX}{id}`)
      return completion(
        services.dataSets
          .list()
          .map((set) => set.id)
          .filter((id) => id.startsWith(prefix)),
      );
    providers = services.registry.resourceTemplates().find((entry) => entry.key === ref.uri)?.providers;
    if (!providers)
      throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
  } else {
    throw new McpProtocolError(
      ProtocolErrorCode.InvalidParams,
      'completion/complete "ref" must be a ref/prompt or ref/resource',
    );
  }
  const request = { ref, argument, ...(params.context ? { context: params.context } : {}) } as Record<string, unknown>;
  const { reply } = await services.nodeRpc.call(
    providers,
    { method: 'completion/complete', params: request },
    { signal: context.signal, caller: callerIdentity(context.principal, context.access) },
  );
  return unwrapNodeResult(reply, 'Completion target');
}
