/** One MCP text resource contents entry. */
export interface TextResourceContents {
  uri: string;
  mimeType?: string;
  text: string;
  _meta?: Record<string, unknown>;
}

/** One MCP binary resource contents entry; `blob` is base64. */
export interface BlobResourceContents {
  uri: string;
  mimeType?: string;
  blob: string;
  _meta?: Record<string, unknown>;
}

export type ResourceContents = TextResourceContents | BlobResourceContents;

/**
 * A contents entry as a read handler may write it: `uri` and `mimeType` default to the URI being read
 * and the definition's mimeType, and `blob` may be raw bytes.
 */
export type ResourceContentsInput =
  | (Omit<TextResourceContents, 'uri'> & { uri?: string })
  | (Omit<BlobResourceContents, 'uri' | 'blob'> & { uri?: string; blob: string | Uint8Array });

/**
 * What a read handler returns: a string (one text entry), bytes (one blob entry), one entry, an
 * array of entries, or an MCP `ReadResourceResult` (`{ contents }`).
 */
export type ResourceReturn =
  | string
  | Uint8Array
  | ResourceContentsInput
  | readonly ResourceContentsInput[]
  | { readonly contents: readonly ResourceContentsInput[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entry(value: unknown, index: number, uri: string, mimeType: string | undefined): ResourceContents {
  const where = `contents[${index}]`;
  if (!isRecord(value)) throw new TypeError(`${where} is not an object`);
  if (value.uri !== undefined && typeof value.uri !== 'string') throw new TypeError(`${where}.uri must be a string`);
  if (value.mimeType !== undefined && typeof value.mimeType !== 'string')
    throw new TypeError(`${where}.mimeType must be a string`);
  const hasText = value.text !== undefined;
  const hasBlob = value.blob !== undefined;
  if (hasText === hasBlob) throw new TypeError(`${where} needs exactly one of text and blob`);
  if (hasText && typeof value.text !== 'string') throw new TypeError(`${where}.text must be a string`);
  if (hasBlob && typeof value.blob !== 'string' && !(value.blob instanceof Uint8Array)) {
    throw new TypeError(`${where}.blob must be a base64 string or a Uint8Array`);
  }
  const type = (value.mimeType as string | undefined) ?? mimeType;
  const shaped: Record<string, unknown> = { ...value, uri: value.uri ?? uri };
  if (type === undefined) delete shaped.mimeType;
  else shaped.mimeType = type;
  if (value.blob instanceof Uint8Array) shaped.blob = Buffer.from(value.blob).toString('base64');
  return shaped as unknown as ResourceContents;
}

/** Normalises a read handler's return value; throws a TypeError naming what is wrong. */
export function shapeContents(value: unknown, uri: string, mimeType: string | undefined): ResourceContents[] {
  if (typeof value === 'string') return [entry({ text: value }, 0, uri, mimeType)];
  if (value instanceof Uint8Array) return [entry({ blob: value }, 0, uri, mimeType)];
  if (Array.isArray(value)) return value.map((item, i) => entry(item, i, uri, mimeType));
  if (isRecord(value) && value.text === undefined && value.blob === undefined) {
    if (!Array.isArray(value.contents))
      throw new TypeError('expected a string, bytes, contents entries or { contents: [...] }');
    return value.contents.map((item, i) => entry(item, i, uri, mimeType));
  }
  return [entry(value, 0, uri, mimeType)];
}
