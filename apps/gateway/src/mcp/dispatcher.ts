import type { ToolInvoker } from '../routing/tool-invoker.js';
import type { McpCallContext } from './call-context.js';
import { JsonRpcCode, McpProtocolError } from './jsonrpc.js';
import { callTool } from './methods/tools-call.js';
import type { ToolsListing } from './methods/tools-list.js';
import { INSTRUCTIONS, MODERN_VERSIONS, SERVER_CAPABILITIES, SERVER_INFO } from './server-info.js';

type Handler = (params: Record<string, unknown>, context: McpCallContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';
/** Results a 2026-07-28 client may cache carry `ttlMs`/`cacheScope`. */
const CACHEABLE = new Set(['server/discover', 'tools/list']);

/**
 * Answers MCP requests after the transport has settled the era and the session. The method table is
 * shared by both eras; era-specific methods are registered for their era only (initialize is handled
 * by the transport, since it creates the session).
 */
export class McpDispatcher {
  readonly #common = new Map<string, Handler>();
  readonly #modern = new Map<string, Handler>();

  constructor(deps: { invoker: ToolInvoker; listing: ToolsListing }) {
    this.#common.set('ping', () => ({}));
    this.#common.set('tools/list', () => ({ ...deps.listing.list() }));
    this.#common.set('tools/call', (params, context) => callTool(params, context, deps.invoker));
    this.#modern.set('server/discover', () => ({
      supportedVersions: MODERN_VERSIONS,
      capabilities: SERVER_CAPABILITIES,
      instructions: INSTRUCTIONS,
    }));
  }

  /** The result object, or throws McpProtocolError. */
  async dispatch(method: string, params: Record<string, unknown>, context: McpCallContext): Promise<Record<string, unknown>> {
    const handler = this.#common.get(method) ?? (context.era === 'modern' ? this.#modern.get(method) : undefined);
    if (!handler) throw new McpProtocolError(JsonRpcCode.MethodNotFound, `Method not found: ${method}`);
    const result = await handler(params, context);
    return context.era === 'modern' ? stampModern(method, result) : result;
  }
}

/** 2026-07-28 results carry a `resultType` and the server's identity; cacheable ones a cache hint. */
function stampModern(method: string, result: Record<string, unknown>): Record<string, unknown> {
  const meta = typeof result._meta === 'object' && result._meta !== null ? (result._meta as Record<string, unknown>) : {};
  const stamped: Record<string, unknown> = { ...result, resultType: 'complete', _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO, ...meta } };
  if (CACHEABLE.has(method)) {
    stamped.ttlMs = 0;
    stamped.cacheScope = 'private';
  }
  return stamped;
}
