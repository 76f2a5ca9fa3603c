import { ClientError, ClientErrorCode, RemoteToolError } from './errors.js';

interface ToolResultLike {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  _meta?: unknown;
}

/**
 * What a caller usually wants from a tool result: its structured content when the tool declares an
 * output schema, else the text of a single text block, else the content blocks. A failed call
 * (`isError`) throws RemoteToolError with the mesh's stable code.
 */
export function toolValue<T>(tool: string, result: ToolResultLike): T {
  const blocks = Array.isArray(result.content)
    ? (result.content as Array<{ type?: unknown; text?: unknown }>)
    : undefined;
  if (result.isError === true) {
    const meta = (result._meta ?? {}) as Record<string, { code?: unknown; message?: unknown } | undefined>;
    const error = meta['easyremote/error'];
    const text = blocks?.map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n') ?? '';
    throw new RemoteToolError(
      tool,
      typeof error?.code === 'string' ? error.code : ClientErrorCode.ToolFailed,
      typeof error?.message === 'string' ? error.message : text,
    );
  }
  if (result.structuredContent !== undefined) return result.structuredContent as T;
  if (!blocks) throw new ClientError(ClientErrorCode.BadResult, `tool ${tool} answered without content`);
  const [only] = blocks;
  if (blocks.length === 1 && only?.type === 'text' && typeof only.text === 'string') return only.text as T;
  return blocks as T;
}
