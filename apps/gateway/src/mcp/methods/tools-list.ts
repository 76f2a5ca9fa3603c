import type { ToolDescriptor } from '@easyremote/protocol';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import { paginate } from '../pagination.js';

/** The MCP `Tool` object for a registry entry: MCP fields only, EasyRemote metadata under `_meta`. */
export function toMcpTool(descriptor: ToolDescriptor): Record<string, unknown> {
  const tool: Record<string, unknown> = { name: descriptor.name };
  if (descriptor.title !== undefined) tool.title = descriptor.title;
  if (descriptor.description !== undefined) tool.description = descriptor.description;
  tool.inputSchema = descriptor.inputSchema;
  if (descriptor.outputSchema !== undefined) tool.outputSchema = descriptor.outputSchema;
  if (descriptor.annotations !== undefined) tool.annotations = descriptor.annotations;
  if (descriptor.icons !== undefined) tool.icons = descriptor.icons;
  if (descriptor.metadata !== undefined) tool._meta = { 'easyremote/metadata': descriptor.metadata };
  return tool;
}

/**
 * `tools/list` straight from the in-memory registry view, in name order. The MCP shapes are rebuilt
 * only when the view's tool list changes (the view hands out the same array until then).
 */
export class ToolsListing {
  #source: readonly ToolEntry[] | undefined;
  #tools: readonly Record<string, unknown>[] = [];

  constructor(
    private readonly registry: RegistryView,
    private readonly pageSize: number,
  ) {}

  list(cursor?: unknown): { tools: readonly Record<string, unknown>[]; nextCursor?: string } {
    const entries = this.registry.tools();
    if (entries !== this.#source) {
      this.#tools = entries.map((entry) => toMcpTool(entry.descriptor));
      this.#source = entries;
    }
    if (cursor === undefined && this.#tools.length <= this.pageSize) return { tools: this.#tools };
    const { page, nextCursor } = paginate(this.#tools, cursor, this.pageSize);
    return nextCursor === undefined ? { tools: page } : { tools: page, nextCursor };
  }
}
