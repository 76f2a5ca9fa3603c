import type { CallPipeline } from '../pipeline/call-pipeline.js';
import type { McpCallContext } from './call-context.js';
import type { ListenFilter } from './change-streams.js';
import { ProtocolErrorCode, SERVER_INFO_META_KEY } from '@modelcontextprotocol/server';
import { McpProtocolError } from './protocol-error.js';
import {
  complete,
  getPrompt,
  listPrompts,
  listResources,
  listResourceTemplates,
  readResource,
} from './methods/catalog.js';
import { setLogLevel, subscribe, unsubscribe } from './methods/session-methods.js';
import { callTool } from './methods/tools-call.js';
import { INSTRUCTIONS, MODERN_VERSIONS, SERVER_CAPABILITIES, SERVER_INFO } from './server-info.js';
import type { McpServices } from './services.js';

/** Returned by a handler that took over the response stream (subscriptions/listen). */
export const STREAMING = Symbol('streaming');

type HandlerResult = Record<string, unknown> | typeof STREAMING;
type Handler = (params: Record<string, unknown>, context: McpCallContext) => Promise<HandlerResult> | HandlerResult;

/** Results a 2026-07-28 client may cache carry `ttlMs`/`cacheScope`. */
const CACHEABLE = new Set([
  'server/discover',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
]);

/**
 * 2025-era methods that 2026-07-28 removed (its changelog item 5, SEP-2575), with what replaces each.
 * The spec's conformance suite requires 404 + -32601 for them (ADR 0015), so a 2026 client that
 * still sends one gets that answer plus the way forward instead of a bare "not found".
 */
const REMOVED_IN_2026: ReadonlyMap<string, { readonly replacement: string; readonly how: string }> = new Map([
  ['ping', { replacement: 'server/discover', how: 'server/discover, which has no side effects, as the health check' }],
  [
    'logging/setLevel',
    {
      replacement: '_meta.io.modelcontextprotocol/logLevel',
      how: 'the per-request _meta key io.modelcontextprotocol/logLevel',
    },
  ],
  [
    'resources/subscribe',
    { replacement: 'subscriptions/listen', how: 'subscriptions/listen with notifications.resourceSubscriptions' },
  ],
  ['resources/unsubscribe', { replacement: 'subscriptions/listen', how: 'closing the subscriptions/listen stream' }],
]);

/**
 * Answers MCP requests after the transport has settled the era and the session. One method table
 * serves both eras; a few methods exist in one era only (initialize is handled by the transport,
 * since it creates the session).
 */
export class McpDispatcher {
  readonly #common = new Map<string, Handler>();
  readonly #legacy = new Map<string, Handler>();
  readonly #modern = new Map<string, Handler>();

  constructor(services: McpServices, calls: CallPipeline) {
    const common = this.#common;
    common.set('tools/list', (params) => ({ ...services.listing.list(params.cursor) }));
    common.set('tools/call', (params, context) => callTool(params, context, services, calls));
    common.set('resources/list', (params) => listResources(params, services));
    common.set('resources/templates/list', (params) => listResourceTemplates(params, services));
    common.set('resources/read', (params, context) => readResource(params, context, services));
    common.set('prompts/list', (params) => listPrompts(params, services));
    common.set('prompts/get', (params, context) => getPrompt(params, context, services));
    common.set('completion/complete', (params, context) => complete(params, context, services));

    // 2026-07-28 removed ping (and the session methods below): only 2025-era clients get them.
    this.#legacy.set('ping', () => ({}));
    this.#legacy.set('logging/setLevel', (params, context) => setLogLevel(params, context, services));
    this.#legacy.set('resources/subscribe', (params, context) => subscribe(params, context, services));
    this.#legacy.set('resources/unsubscribe', (params, context) => unsubscribe(params, context, services));

    this.#modern.set('server/discover', () => ({
      supportedVersions: MODERN_VERSIONS,
      capabilities: SERVER_CAPABILITIES,
      instructions: INSTRUCTIONS,
    }));
    this.#modern.set('subscriptions/listen', (params, context) => {
      if (services.streams.full)
        throw new McpProtocolError(ProtocolErrorCode.InternalError, 'Subscription limit reached');
      const filter = (params.notifications ?? {}) as ListenFilter;
      services.streams.openListen(context.requestId, filter, context.channel);
      return STREAMING;
    });
  }

  /** The result object (or STREAMING), or throws McpProtocolError. */
  async dispatch(method: string, params: Record<string, unknown>, context: McpCallContext): Promise<HandlerResult> {
    const handler =
      this.#common.get(method) ?? (context.era === '2026-07-28' ? this.#modern.get(method) : this.#legacy.get(method));
    if (!handler) {
      // 2026-07-28: an unimplemented method is also an HTTP 404.
      const removed = context.era === '2026-07-28' ? REMOVED_IN_2026.get(method) : undefined;
      if (removed !== undefined) {
        const message = `Method not found: ${method} was removed in protocol 2026-07-28; use ${removed.how}`;
        throw new McpProtocolError(
          ProtocolErrorCode.MethodNotFound,
          message,
          { removedIn: '2026-07-28', replacement: removed.replacement },
          404,
        );
      }
      throw new McpProtocolError(
        ProtocolErrorCode.MethodNotFound,
        `Method not found: ${method}`,
        undefined,
        context.era === '2026-07-28' ? 404 : 200,
      );
    }
    const result = await handler(params, context);
    if (result === STREAMING) return result;
    return context.era === '2026-07-28' ? stampModern(method, result) : result;
  }
}

/** 2026-07-28 results carry a `resultType` and the server's identity; cacheable ones a cache hint. */
function stampModern(method: string, result: Record<string, unknown>): Record<string, unknown> {
  const meta =
    typeof result._meta === 'object' && result._meta !== null ? (result._meta as Record<string, unknown>) : {};
  const stamped: Record<string, unknown> = {
    resultType: 'complete',
    ...result,
    _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO, ...meta },
  };
  if (CACHEABLE.has(method)) {
    stamped.ttlMs = 0;
    stamped.cacheScope = 'private';
  }
  return stamped;
}
