import { constants } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

async function executable(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.X_OK);
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * Every executable called `name` on `searchPath` (then in the usual system directories), as real
 * paths without duplicates, in search order. An absolute `name` is checked alone.
 */
export async function findExecutables(name: string, searchPath: string): Promise<string[]> {
  if (isAbsolute(name)) {
    const found = await executable(name);
    return found === undefined ? [] : [found];
  }
  const dirs = [...searchPath.split(delimiter).filter(isAbsolute), '/usr/local/bin', '/usr/bin', '/bin'];
  const found: string[] = [];
  for (const dir of dirs) {
    const path = await executable(join(dir, name));
    if (path !== undefined && !found.includes(path)) found.push(path);
  }
  return found;
}
