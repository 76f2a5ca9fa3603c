import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { csvCell, type Cell, type Table } from './table.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;

/** Where each record ends (the byte after its LF, or the end), outside quoted fields. */
export interface RecordBounds {
  /** Byte offset where the first record starts (after a BOM). */
  readonly start: number;
  /** End offset of every non-blank record, in order. */
  readonly ends: number[];
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index]!;
    if (byte !== LF && byte !== CR && byte !== 0x20 && byte !== 0x09) return false;
  }
  return true;
}

/**
 * The record ends of a CSV document (RFC 4180: newlines inside quoted fields belong to the field).
 * A quote opens a quoted field only at the start of a field, exactly as parseCsvFields reads it, so
 * chunk boundaries always fall between the records the parser sees.
 */
export function csvRecordBounds(bytes: Uint8Array): RecordBounds {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const ends: number[] = [];
  let quoted = false;
  let fieldStart = true;
  let recordStart = start;
  for (let index = start; index < bytes.length; index += 1) {
    const byte = bytes[index]!;
    if (quoted) {
      if (byte === QUOTE) {
        if (bytes[index + 1] === QUOTE) index += 1;
        else quoted = false;
      }
      continue;
    }
    if (byte === QUOTE && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (byte === COMMA) {
      fieldStart = true;
    } else if (byte === LF) {
      if (!isBlank(bytes, recordStart, index + 1)) ends.push(index + 1);
      recordStart = index + 1;
      fieldStart = true;
    } else if (byte !== CR) {
      fieldStart = false;
    }
  }
  if (quoted)
    throw new ToolError(
      ToolboxErrorCode.DatasetInvalid,
      `CSV has an unterminated quoted field (record ${ends.length + 1})`,
    );
  if (recordStart < bytes.length && !isBlank(bytes, recordStart, bytes.length)) ends.push(bytes.length);
  return { start, ends };
}

/** Splits CSV text into records of raw fields. */
export function parseCsvFields(text: string, firstLine: number): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = firstLine;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push(fields);
    fields = [];
    field = '';
  };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 1;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      endRecord();
      afterQuote = false;
      line += 1;
    } else if (char === '"' && field === '' && !afterQuote) {
      quoted = true;
    } else if (afterQuote) {
      throw new ToolError(
        ToolboxErrorCode.DatasetInvalid,
        `CSV line ${line}: unexpected ${JSON.stringify(char)} after a closing quote`,
      );
    } else {
      field += char;
    }
  }
  if (quoted) throw new ToolError(ToolboxErrorCode.DatasetInvalid, `CSV line ${line}: unterminated quoted field`);
  if (field !== '' || fields.length > 0 || afterQuote) endRecord();
  return records;
}

/** The header's column names (blank ones become `column_<n>`, duplicates get a suffix). */
export function csvHeader(text: string): string[] {
  const [header] = parseCsvFields(text, 1);
  if (header === undefined) throw new ToolError(ToolboxErrorCode.DatasetInvalid, 'CSV has no header row');
  const seen = new Map<string, number>();
  return header.map((raw, index) => {
    const base = raw.trim() === '' ? `column_${index + 1}` : raw.trim();
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}_${count + 1}`;
  });
}

/** A chunk of CSV records (no header) as a table with the given columns. */
export function csvTable(text: string, columns: readonly string[], firstLine: number): Table {
  const rows: Cell[][] = [];
  for (const fields of parseCsvFields(text, firstLine)) {
    const row: Cell[] = new Array<Cell>(columns.length).fill(null);
    // Short rows are padded with missing values; extra fields beyond the header are ignored.
    for (let index = 0; index < columns.length && index < fields.length; index += 1)
      row[index] = csvCell(fields[index]!);
    rows.push(row);
  }
  return { columns, rows };
}
