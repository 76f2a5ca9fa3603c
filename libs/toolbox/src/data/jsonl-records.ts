import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { jsonCell, type Cell, type Table } from './table.js';

/** A chunk of JSON Lines (one object per line) as a table; columns in order of first appearance. */
export function jsonlTable(text: string, firstRecord: number): Table {
  const columns: string[] = [];
  const index = new Map<string, number>();
  const objects: Record<string, unknown>[] = [];
  let record = firstRecord;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ToolError(ToolboxErrorCode.DatasetInvalid, `JSON Lines record ${record}: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ToolError(ToolboxErrorCode.DatasetInvalid, `JSON Lines record ${record} is not an object`);
    }
    for (const key of Object.keys(value)) {
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push(key);
      }
    }
    objects.push(value as Record<string, unknown>);
    record += 1;
  }
  const rows = objects.map((object) => {
    const row: Cell[] = new Array<Cell>(columns.length).fill(null);
    for (const [key, value] of Object.entries(object)) row[index.get(key)!] = jsonCell(value);
    return row;
  });
  return { columns, rows };
}

/** End offsets of the non-blank lines of a JSON Lines document. */
export function jsonlRecordBounds(bytes: Uint8Array): { start: number; ends: number[] } {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const ends: number[] = [];
  let lineStart = start;
  let blank = true;
  for (let position = start; position < bytes.length; position += 1) {
    const byte = bytes[position]!;
    if (byte === 0x0a) {
      if (!blank) ends.push(position + 1);
      lineStart = position + 1;
      blank = true;
    } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
      blank = false;
    }
  }
  if (!blank && lineStart < bytes.length) ends.push(bytes.length);
  return { start, ends };
}
