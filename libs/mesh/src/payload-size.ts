// "NATS/1.0" before the fields and "\r\n\r\n" after them; each field is "\r\n<key>: <value>".
const HEADER_FRAME_BYTES = 12;
const FIELD_FRAME_BYTES = 4;

/**
 * Bytes the headers add to a message, as counted against the server's max_payload. Encoding the
 * headers only to measure them would double the work on every call, so string lengths are summed
 * (exact for ASCII); UTF-8 byte lengths are measured only when the message could be near the limit.
 */
export function headerBytes(
  record: Readonly<Record<string, string>> | undefined,
  payloadBytes: number,
  maxPayload: number,
): number {
  if (record === undefined) return 0;
  let chars = 0;
  let fields = 0;
  for (const key in record) {
    chars += key.length + (record[key]?.length ?? 0);
    fields++;
  }
  if (fields === 0) return 0;
  const frame = HEADER_FRAME_BYTES + fields * FIELD_FRAME_BYTES;
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so below this bound the estimate cannot matter.
  if (payloadBytes + frame + chars * 3 <= maxPayload) return frame + chars;
  let bytes = 0;
  for (const key in record) bytes += Buffer.byteLength(key) + Buffer.byteLength(record[key] ?? '');
  return frame + bytes;
}
