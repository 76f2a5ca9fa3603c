import { AuthErrorCode, type AccessPolicy } from '@easyremote/auth';
import { bearerChallenge } from '../auth/oauth-resource.js';
import type { ResourceIdentity } from '../auth/oauth-resource.js';
import type { McpCallContext } from '../mcp/call-context.js';
import type { McpDispatcher } from '../mcp/dispatcher.js';
import { McpProtocolError, TransportErrorCode } from '../mcp/protocol-error.js';
import { SerializedArray } from '../mcp/answer-text.js';

type Dispatch = McpDispatcher['dispatch'];
type ItemFilter = (access: AccessPolicy, item: Record<string, unknown>) => boolean;

const toolMetadata = (item: Record<string, unknown>) =>
  ((item._meta as Record<string, unknown> | undefined)?.['easyremote/metadata'] ?? {}) as {
    category?: string;
    securityLevel?: string;
  };

/** List results filtered to what the caller may use, by method: the same policy that gates the calls. */
const LIST_FILTERS: Readonly<Record<string, { key: string; keep: ItemFilter }>> = {
  'tools/list': {
    key: 'tools',
    keep: (access, tool) => access.mayCallTool({ name: String(tool.name), ...toolMetadata(tool) }),
  },
  'resources/list': { key: 'resources', keep: (access, resource) => access.mayReadResource(String(resource.uri)) },
  'prompts/list': { key: 'prompts', keep: (access, prompt) => access.mayGetPrompt(String(prompt.name)) },
};

/** Which family of scopes a method needs at all (before per-item checks). */
function methodAllowed(
  access: AccessPolicy,
  method: string,
  params: Record<string, unknown>,
): { ok: boolean; scope?: string } {
  switch (method) {
    case 'tools/list':
      return { ok: access.mayListTools, scope: 'tools:list' };
    case 'resources/list':
    case 'resources/templates/list':
      return { ok: access.mayUseResources, scope: 'resources:read' };
    // Subscribing tells when a resource changes: it needs the same scope as reading it.
    case 'resources/subscribe':
    case 'resources/unsubscribe':
    case 'resources/read':
      return { ok: typeof params.uri === 'string' && access.mayReadResource(params.uri), scope: 'resources:read' };
    case 'prompts/list':
    case 'completion/complete':
      return { ok: access.mayUsePrompts, scope: 'prompts:get' };
    case 'prompts/get':
      return { ok: typeof params.name === 'string' && access.mayGetPrompt(params.name), scope: 'prompts:get' };
    default:
      return { ok: true };
  }
}

/**
 * Authorisation in front of the MCP method table: a method the caller's scopes do not cover is
 * refused with HTTP 403 and an `insufficient_scope` challenge, and list results show only what the
 * caller may use. `tools/call` passes on to the call pipeline, which authorises and rate-limits it.
 */
export class SecuredDispatcher {
  constructor(
    private readonly inner: { dispatch: Dispatch },
    private readonly identity: ResourceIdentity,
  ) {}

  dispatch(method: string, params: Record<string, unknown>, context: McpCallContext): ReturnType<Dispatch> {
    const access = context.access;
    // The route's access hook sets a policy on every request it lets through (the open one when
    // authentication is off); none means the hook did not run, so nothing is allowed.
    if (!access) {
      throw new McpProtocolError(
        TransportErrorCode.ServerError,
        'Unauthorized: no credentials were established for this request',
        { code: AuthErrorCode.Unauthenticated },
        401,
      );
    }
    // tools/call is authorised and rate limited by the call pipeline (pipeline/call-stages.ts), the
    // same for MCP and REST. Nothing else to check or filter for an admin (or authentication off).
    if (access.admin || method === 'tools/call') return this.inner.dispatch(method, params, context);
    return this.#checked(method, params, context, access);
  }

  async #checked(
    method: string,
    params: Record<string, unknown>,
    context: McpCallContext,
    access: AccessPolicy,
  ): ReturnType<Dispatch> {
    const verdict = methodAllowed(access, method, params);
    if (!verdict.ok) this.#forbid(context, verdict.scope ?? 'admin', `${method} needs the ${verdict.scope} scope`);
    const result = await this.inner.dispatch(method, params, context);
    const filter = LIST_FILTERS[method];
    if (!filter || typeof result !== 'object') return result;
    const listed = result[filter.key];
    const items = listed instanceof SerializedArray ? listed.items : listed;
    if (!Array.isArray(items)) return result;
    return { ...result, [filter.key]: items.filter((item: Record<string, unknown>) => filter.keep(access, item)) };
  }

  #forbid(context: McpCallContext, scope: string, description: string): never {
    context.setHeader?.(
      'www-authenticate',
      bearerChallenge(this.identity.metadataUrl, { error: 'insufficient_scope', description, scope }),
    );
    throw new McpProtocolError(
      TransportErrorCode.ServerError,
      `Forbidden: ${description}`,
      { code: AuthErrorCode.InsufficientScope },
      403,
    );
  }
}
