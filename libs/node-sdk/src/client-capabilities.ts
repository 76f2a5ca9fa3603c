import type { CallRequest, InputRequest } from '@easyremote/protocol';

export type ClientInfo = NonNullable<CallRequest['client']>;
export type ClientMethod = InputRequest['method'];

const FEATURE: Readonly<Record<ClientMethod, string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Why the client cannot take this request, or undefined when it can. MCP lets a server send a request
 * only for a capability the client declared; an empty `elicitation: {}` means form mode only (the
 * 2025-06-18 meaning), `{ url: {} }` alone means URL mode only, and sampling with `tools` needs
 * `sampling.tools`.
 */
export function unsupportedReason(
  client: ClientInfo | undefined,
  method: ClientMethod,
  params: Record<string, unknown>,
): string | undefined {
  const feature = FEATURE[method];
  const unsupported = `the client does not support ${feature}`;
  if (client === undefined) return `${unsupported} (the call did not say who the client is)`;
  const declared = record(client.capabilities[feature]);
  if (declared === undefined) return unsupported;
  if (method === 'elicitation/create') {
    if (params.mode === 'url') return 'url' in declared ? undefined : `${unsupported} in URL mode`;
    const formMode = 'form' in declared || !('url' in declared);
    return formMode ? undefined : `${unsupported} in form mode`;
  }
  if (method === 'sampling/createMessage' && params.tools !== undefined && !('tools' in declared)) {
    return `${unsupported} with tools`;
  }
  return undefined;
}
