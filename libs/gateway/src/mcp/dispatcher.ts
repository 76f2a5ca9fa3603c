import type { CallPipeline } from '../pipeline/call-pipeline.js';
import type { McpCallContext } from './call-context.js';
import type { ListenFilter } from './change-streams.js';
import { ProtocolErrorCode, SERVER_INFO_META_KEY, type HandlerResultTypeMap } from '@modelcontextprotocol/server';
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
import { INSTRUCTIONS, MODERN_CAPABILITIES, MODERN_VERSIONS, SERVER_CAPABILITIES, SERVER_INFO } from './server-info.js';
import type { McpServices } from './services.js';
import type { WithSerializedArrays } from './answer-text.js';
import type { WireParams } from './call-context.js';

/** Returned by a handler that took over the response stream (subscriptions/listen). */
export const STREAMING = Symbol('streaming');

/** What dispatch hands the transport: a result object to answer with, or STREAMING. */
export type DispatchResult = Record<string, unknown> | typeof STREAMING;

/** Methods served in both eras, in the 2025-11-25 era only, and in 2026-07-28 only. */
type CommonMethod =
  | 'tools/list'
  | 'tools/call'
  | 'resources/list'
  | 'resources/templates/list'
  | 'resources/read'
  | 'prompts/list'
  | 'prompts/get'
  | 'completion/complete';
type LegacyMethod = 'ping' | 'logging/setLevel' | 'resources/subscribe' | 'resources/unsubscribe';
type ModernMethod = 'server/discover' | 'subscriptions/listen';
type ServedMethod = CommonMethod | LegacyMethod | ModernMethod;

/**
 * A handler returns the SDK's result type for its method (HandlerResultTypeMap: with the 2026
 * inputRequired result where the spec allows it); a cached list may carry pre-serialised arrays, and
 * subscriptions/listen takes the stream over. Params are the request's as they came off the wire:
 * the classifier checked the JSON-RPC envelope, not the method's params, so they are the SDK's request
 * params with every value `unknown` (WireParams<M>) and each handler checks the fields it reads (-32602).
 */
type Handler<M extends ServedMethod> = (
  params: WireParams<M>,
  context: McpCallContext,
) => MaybePromise<
  WithSerializedArrays<HandlerResultTypeMap[M]> | (M extends 'subscriptions/listen' ? typeof STREAMING : never)
>;
type MaybePromise<T> = T | Promise<T>;
type MethodTable<M extends ServedMethod> = { readonly [K in M]: Handler<K> };
type AnyHandler = (params: WireParams, context: McpCallContext) => MaybePromise<DispatchResult>;

function tableOf<M extends ServedMethod>(table: MethodTable<M>): ReadonlyMap<string, AnyHandler> {
  return new Map(Object.entries(table) as [string, AnyHandler][]);
}

/** A method of an extension the SDK does not type: it checks the params it reads itself. */
type ExtensionMethod = (
  params: Readonly<Record<string, unknown>>,
  context: McpCallContext,
) => Promise<Record<string, unknown>>;

function extensionTable(methods: Readonly<Record<string, ExtensionMethod>>): ReadonlyMap<string, AnyHandler> {
  return new Map(
    Object.entries(methods).map(([name, method]): [string, AnyHandler] => [
      name,
      (params, context) => method(params as Readonly<Record<string, unknown>>, context),
    ]),
  );
}

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
  readonly #common: ReadonlyMap<string, AnyHandler>;
  readonly #legacy: ReadonlyMap<string, AnyHandler>;
  readonly #modern: ReadonlyMap<string, AnyHandler>;
  /** Methods of extensions the SDK does not type (the 2026-07-28 Tasks extension). */
  readonly #modernExtensions: ReadonlyMap<string, AnyHandler>;
  /** The 2025-11-25 experimental tasks methods. */
  readonly #legacyExtensions: ReadonlyMap<string, AnyHandler>;

  constructor(services: McpServices, calls: CallPipeline) {
    this.#common = tableOf<CommonMethod>({
      'tools/list': (params, context) => ({
        ...(context.era === '2025-11-25' ? services.legacyListing : services.listing).list(params.cursor),
      }),
      'tools/call': (params, context) => callTool(params, context, services, calls),
      'resources/list': (params) => listResources(params, services),
      'resources/templates/list': (params) => listResourceTemplates(params, services),
      'resources/read': (params, context) => readResource(params, context, services),
      'prompts/list': (params) => listPrompts(params, services),
      'prompts/get': (params, context) => getPrompt(params, context, services),
      'completion/complete': (params, context) => complete(params, context, services),
    });
    // 2026-07-28 removed ping (and the session methods below): only 2025-era clients get them.
    this.#legacy = tableOf<LegacyMethod>({
      ping: () => ({}),
      'logging/setLevel': (params, context) => setLogLevel(params, context, services),
      'resources/subscribe': (params, context) => subscribe(params, context, services),
      'resources/unsubscribe': (params, context) => unsubscribe(params, context, services),
    });
    const { legacy, modern } = services.tasks;
    this.#legacyExtensions = extensionTable({
      'tasks/get': legacy.get.bind(legacy),
      'tasks/result': legacy.result.bind(legacy),
      'tasks/list': legacy.list.bind(legacy),
      'tasks/cancel': legacy.cancel.bind(legacy),
    });
    this.#modern = tableOf<ModernMethod>({
      'server/discover': () => ({
        supportedVersions: [...MODERN_VERSIONS],
        capabilities: services.tasks.enabled ? MODERN_CAPABILITIES : SERVER_CAPABILITIES,
        instructions: INSTRUCTIONS,
      }),
      'subscriptions/listen': async (params, context): Promise<typeof STREAMING> => {
        if (services.streams.full)
          throw new McpProtocolError(ProtocolErrorCode.InternalError, 'Subscription limit reached');
        const filter = { ...((params.notifications ?? {}) as ListenFilter & { taskIds?: unknown }) };
        const tasks = filter.taskIds === undefined ? [] : await services.tasks.listen.agreed(filter.taskIds, context);
        // The acknowledgement names the tasks the server agreed to report on: the caller's own.
        if (filter.taskIds !== undefined) filter.taskIds = tasks.map((task) => task.record.taskId);
        services.streams.openListen(context.requestId, filter, context.channel);
        services.tasks.listen.follow(tasks, context.requestId, context.channel);
        return STREAMING;
      },
    });
    this.#modernExtensions = extensionTable({
      'tasks/get': modern.get.bind(modern),
      'tasks/update': modern.update.bind(modern),
      'tasks/cancel': modern.cancel.bind(modern),
    });
  }

  /** The result object (or STREAMING), or throws McpProtocolError. */
  async dispatch(method: string, params: WireParams, context: McpCallContext): Promise<DispatchResult> {
    const handler =
      this.#common.get(method) ??
      (context.era === '2026-07-28'
        ? (this.#modern.get(method) ?? this.#modernExtensions.get(method))
        : (this.#legacy.get(method) ?? this.#legacyExtensions.get(method)));
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
