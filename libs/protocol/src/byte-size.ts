/** Multipliers of the size units an operator may write; binary and decimal, as people mean them. */
const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a size such as `8GiB`, `512 MiB`, `16GB`, `1.5g` or plain bytes (`4096`) into bytes
 * (rounded down to whole bytes). Units are case-insensitive; `KiB`/`MiB`/`GiB`/`TiB` and the bare
 * letters are powers of 1024, `kB`/`MB`/`GB`/`TB` powers of 1000. Throws TypeError naming the input.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new TypeError(
      `invalid size ${JSON.stringify(text)}: use a number of bytes or a number with a unit, e.g. 8GiB, 512MiB, 16GB`,
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new TypeError(`invalid size ${JSON.stringify(text)}: too large`);
  return bytes;
}
