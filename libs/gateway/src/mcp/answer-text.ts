import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  JSONRPC_VERSION,
  type RequestId,
} from '@modelcontextprotocol/server';

/**
 * An array whose JSON text is computed once and then reused by every answer that carries it: a
 * `tools/list` page is the same for every caller until the registry changes, and serialising 500
 * tools on each request was the tail of the listing latency (docs/performance.md). `resultMessage`
 * splices `text` into the response; anything else sees `items` (or `toJSON`).
 */
/** A result type whose array fields may be pre-serialised (a cached tools/list page). */
export type WithSerializedArrays<T> = {
  [K in keyof T]: T[K] extends readonly (infer Item)[] ? T[K] | SerializedArray<Item> : T[K];
};

export class SerializedArray<T> {
  readonly items: readonly T[];
  #text: string | undefined;

  constructor(items: readonly T[]) {
    this.items = items;
  }

  get text(): string {
    this.#text ??= JSON.stringify(this.items);
    return this.#text;
  }

  toJSON(): readonly T[] {
    return this.items;
  }
}

export type MessageKind = 'request' | 'notification' | 'response' | 'invalid';

/** What one decoded JSON value is, by the SDK's JSON-RPC message guards. */
export function messageKind(value: unknown): MessageKind {
  if (isJSONRPCRequest(value)) return 'request';
  if (isJSONRPCNotification(value)) return 'notification';
  if (isJSONRPCResponse(value)) return 'response';
  return 'invalid';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of a result answer. A result holding pre-serialised arrays among its top-level fields (a
 * cached tool list) has their text spliced in as is, instead of serialising them again.
 */
export function resultMessage(id: RequestId | null, result: unknown): string {
  if (isPlainObject(result)) {
    for (const key in result) if (result[key] instanceof SerializedArray) return spliced(id, result);
  }
  return JSON.stringify({ jsonrpc: JSONRPC_VERSION, id, result });
}

function spliced(id: RequestId | null, result: Record<string, unknown>): string {
  const fields: string[] = [];
  for (const key in result) {
    const value = result[key];
    const text = value instanceof SerializedArray ? value.text : (JSON.stringify(value) as string | undefined);
    if (text !== undefined) fields.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{"jsonrpc":"${JSONRPC_VERSION}","id":${JSON.stringify(id)},"result":{${fields.join(',')}}}`;
}

/** The text of an error answer. */
export function errorMessage(id: RequestId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: JSONRPC_VERSION, id, error });
}

/** The id of a message that may be malformed, for echoing in an error (null when unusable). */
export function idOf(value: unknown): RequestId | null {
  if (!isPlainObject(value)) return null;
  const id = value.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
