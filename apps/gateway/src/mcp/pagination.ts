import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpProtocolError } from './protocol-error.js';

/**
 * Self-contained cursors: the offset into a list every replica sorts the same way, so a client may
 * page through one replica and continue on another. A list that changed between pages may shift;
 * list_changed tells the client to start over.
 */
export function paginate<T>(
  items: readonly T[],
  cursor: unknown,
  pageSize: number,
): { page: readonly T[]; nextCursor?: string; offset: number } {
  let offset = 0;
  if (cursor !== undefined) {
    offset = decodeCursor(cursor);
  }
  const page = offset === 0 && items.length <= pageSize ? items : items.slice(offset, offset + pageSize);
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
