import type { ToolDescriptor } from '@easyremote/protocol';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import { ProtocolErrorCode, type ListToolsResult, type Tool } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../protocol-error.js';
import { SerializedArray, type WithSerializedArrays } from '../answer-text.js';

/**
 * The MCP `Tool` object for a registry entry: MCP fields only, EasyRemote metadata under `_meta`.
 * The descriptor's JSON-object fields are the MCP shapes: the advert codec checked they are objects
 * and the schema guard that the input schema is one the gateway can run (routing/schema-guard.ts).
 */
export function toMcpTool(descriptor: ToolDescriptor, withExecution = false): Tool {
  const taskSupport = withExecution ? descriptor.execution?.taskSupport : undefined;
  return {
    name: descriptor.name,
    ...(descriptor.title !== undefined ? { title: descriptor.title } : {}),
    ...(descriptor.description !== undefined ? { description: descriptor.description } : {}),
    inputSchema: descriptor.inputSchema as Tool['inputSchema'],
    ...(descriptor.outputSchema !== undefined ? { outputSchema: descriptor.outputSchema as Tool['outputSchema'] } : {}),
    ...(descriptor.annotations !== undefined ? { annotations: descriptor.annotations as Tool['annotations'] } : {}),
    ...(descriptor.icons !== undefined ? { icons: descriptor.icons as Tool['icons'] } : {}),
    // 2025-11-25 only: its clients task-augment a call by this field; 2026-07-28 removed it.
    ...(taskSupport !== undefined ? { execution: { taskSupport } } : {}),
    ...(descriptor.metadata !== undefined ? { _meta: { 'easyremote/metadata': descriptor.metadata } } : {}),
  };
}

/** A tools/list page: the SDK's ListToolsResult with the tools serialised once per registry change. */
export type ToolsPage = WithSerializedArrays<ListToolsResult>;

/**
 * `tools/list` straight from the in-memory registry view, in name order. The MCP shapes, and each
 * page with its JSON text, are rebuilt only when the view's tool list changes (the view hands out the
 * same array until then), so a listing request costs a lookup and a copy of cached bytes.
 */
export class ToolsListing {
  #source: readonly ToolEntry[] | undefined;
  #tools: readonly Tool[] = [];
  /** Pages of the current list by offset. */
  readonly #pages = new Map<number, ToolsPage>();

  constructor(
    private readonly registry: RegistryView,
    private readonly pageSize: number,
    /** List tools' `execution.taskSupport` (the 2025-11-25 listing). */
    private readonly withExecution = false,
  ) {}

  list(cursor?: unknown): ToolsPage {
    const entries = this.registry.tools();
    if (entries !== this.#source) {
      this.#tools = entries.map((entry) => toMcpTool(entry.descriptor, this.withExecution));
      this.#source = entries;
      this.#pages.clear();
    }
    const { page, nextCursor, offset } = paginate(this.#tools, cursor, this.pageSize);
    let cached = this.#pages.get(offset);
    if (cached === undefined) {
      cached =
        nextCursor === undefined
          ? { tools: new SerializedArray(page) }
          : { tools: new SerializedArray(page), nextCursor };
      // Offsets come from clients' cursors: keep only the pages a full walk through the list can name.
      if (offset % this.pageSize === 0 && (offset === 0 || offset < this.#tools.length))
        this.#pages.set(offset, cached);
    }
    return cached;
  }
}

/**
 * Self-contained cursors: the offset into a list every replica sorts the same way, so a client may
 * page through one replica and continue on another. A list that changed between pages may shift;
 * list_changed tells the client to start over.
 */
export function paginate<T>(
  items: readonly T[],
  cursor: unknown,
  pageSize: number,
): { page: T[]; nextCursor?: string; offset: number } {
  let offset = 0;
  if (cursor !== undefined) {
    offset = decodeCursor(cursor);
  }
  // A list that fits one page is answered as it is (no copy); no caller mutates a page.
  const page = offset === 0 && items.length <= pageSize ? (items as T[]) : items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < items.length
    ? { page, offset, nextCursor: Buffer.from(JSON.stringify({ o: next })).toString('base64url') }
    : { page, offset };
}

function decodeCursor(cursor: unknown): number {
  if (typeof cursor === 'string') {
    try {
      const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof value.o === 'number' && Number.isInteger(value.o) && value.o >= 0) return value.o;
    } catch {
      // fall through to the error below
    }
  }
  throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor');
}
