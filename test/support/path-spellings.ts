/**
 * Other spellings of one request path that a client might send and a router might (or might not)
 * take for the same route: percent-encoding of any single character in either hex case (the slash
 * included), double encoding, dot segments, doubled and trailing slashes, query and matrix
 * parameters, a fragment marker, and case changes. Tests send every one of them without credentials
 * to every protected route.
 */
export function pathSpellings(path: string): string[] {
  const out = new Set<string>([path]);
  const hex = (char: string) => char.charCodeAt(0).toString(16).padStart(2, '0');
  for (let index = 0; index < path.length; index++) {
    const char = path[index] as string;
    const before = path.slice(0, index);
    const after = path.slice(index + 1);
    out.add(`${before}%${hex(char).toUpperCase()}${after}`);
    out.add(`${before}%${hex(char).toLowerCase()}${after}`);
    out.add(`${before}%25${hex(char).toUpperCase()}${after}`);
    if (/[a-z]/.test(char)) out.add(`${before}${char.toUpperCase()}${after}`);
  }
  // Every character encoded at once.
  out.add([...path].map((char) => (char === '/' ? char : `%${hex(char).toUpperCase()}`)).join(''));
  const slashes = [...path.matchAll(/\//g)].map((match) => match.index);
  for (const at of slashes) {
    out.add(`${path.slice(0, at)}//${path.slice(at + 1)}`);
    out.add(`${path.slice(0, at)}/./${path.slice(at + 1)}`);
    out.add(`${path.slice(0, at)}/x/../${path.slice(at + 1)}`);
    out.add(`${path.slice(0, at)}\\${path.slice(at + 1)}`);
  }
  for (const suffix of [
    '/',
    '//',
    '/.',
    '/..',
    '?',
    '?a=1',
    '?access=public',
    ';',
    ';a=1',
    '#x',
    '%00',
    '%20',
    '.',
    '%2F',
    '%3F',
    '%23',
  ]) {
    out.add(`${path}${suffix}`);
  }
  const segments = path.split('/');
  for (let index = 1; index < segments.length; index++) {
    const copy = [...segments];
    copy[index] = `${copy[index]};x=1`;
    out.add(copy.join('/'));
  }
  out.add(`/.${path}`);
  out.add(path.toUpperCase());
  return [...out];
}
