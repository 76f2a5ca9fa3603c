import type { CallResult } from '@easyremote/protocol';

/** One MCP content block (text, image, audio, resource_link, embedded resource). */
export type ContentBlock = { readonly type: string } & Readonly<Record<string, unknown>>;

// Symbol.for, so results made by another copy of this package (a loaded tools module) are recognised.
const toolResultBrand: unique symbol = Symbol.for('@easyremote/node-sdk.toolResult');

/** An explicit MCP CallToolResult, built with `toolResult()`; the node sends it unchanged. */
export interface ToolResult {
  readonly content: readonly ContentBlock[];
  readonly structuredContent?: Readonly<Record<string, unknown>>;
  readonly isError?: boolean;
  /** Marks the object as an explicit result, so a plain object return is never mistaken for one. */
  readonly [toolResultBrand]: true;
}

/**
 * What a handler without an output schema may return: a string (one text block), an explicit
 * `toolResult(...)`, `undefined` (no content) or any other JSON value (one text block of its JSON).
 */
export type ToolReturn =
  ToolResult | string | number | boolean | null | undefined | readonly unknown[] | { readonly [key: string]: unknown };

export function toolResult(result: {
  content: readonly ContentBlock[];
  structuredContent?: Readonly<Record<string, unknown>>;
  isError?: boolean;
}): ToolResult {
  if (!Array.isArray(result.content) || !result.content.every((block) => typeof block?.type === 'string')) {
    throw new TypeError('toolResult: content must be an array of content blocks, each with a string `type`');
  }
  return {
    content: result.content,
    ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
    ...(result.isError === undefined ? {} : { isError: result.isError }),
    // A symbol key is skipped by JSON.stringify, so the brand never reaches the wire.
    [toolResultBrand]: true,
  };
}

export function isToolResult(value: unknown): value is ToolResult {
  return typeof value === 'object' && value !== null && (value as Partial<ToolResult>)[toolResultBrand] === true;
}

export function textResult(text: string): CallResult {
  return { content: [{ type: 'text', text }] };
}

/**
 * Shapes the return value of a handler that has no output schema. Throws a TypeError when the value
 * cannot be represented as JSON (bigint, cycles, functions); the caller reports it as invalid output.
 */
export function shapeUnstructured(value: unknown): CallResult {
  if (typeof value === 'string') return textResult(value);
  if (value === undefined) return { content: [] };
  if (isToolResult(value)) return value as unknown as CallResult;
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`a handler returned a ${typeof value}, which is not JSON`);
  }
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('the handler result is not JSON');
  return textResult(json);
}

/** The result of a tool with an output schema: the JSON text for older clients plus structured content. */
export function shapeStructured(value: Record<string, unknown>): CallResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}
