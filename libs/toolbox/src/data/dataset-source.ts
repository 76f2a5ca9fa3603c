import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseResourceReference } from '@easyremote/protocol';
import { ToolError, type HandlerContext } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import type { DataConfig } from './data-config.js';

/** The seed's data-set URI scheme: data sets uploaded into the mesh's object store. */
export const DATA_SET_URI_PREFIX = 'easyremote://data/';

export type DatasetSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  /** `uri` is the canonical `easyremote://data/<id>`: the one spelling scopes are checked on. */
  | { readonly kind: 'data-set'; readonly id: string; readonly uri: string };

function notAllowed(message: string): ToolError {
  return new ToolError(ToolboxErrorCode.DatasetNotAllowed, message);
}

async function nodePath(raw: string, config: DataConfig): Promise<DatasetSource> {
  if (config.dataDir === undefined) {
    throw notAllowed(
      'this node reads no node paths (its operator has not set EASYREMOTE_DATA_DIR); use an http(s) URL or easyremote://data/<id>',
    );
  }
  const root = await realpath(config.dataDir).catch(() => config.dataDir!);
  const candidate = isAbsolute(raw) ? raw : resolve(root, raw);
  let real: string;
  try {
    // The real path, so a symlink inside the data directory cannot lead outside it.
    real = await realpath(candidate);
  } catch {
    throw new ToolError(ToolboxErrorCode.DatasetNotFound, `no data set at ${raw} on this node`);
  }
  if (real !== root && !real.startsWith(root + sep)) throw notAllowed(`${raw} is outside this node's data directory`);
  return { kind: 'file', path: real };
}

/**
 * `easyremote://data/<id>` in any spelling the gateway also recognises (letter case of scheme and
 * authority, percent-encoding, white space: @easyremote/protocol's parseResourceReference), read
 * only when the caller's `resources:read` scopes cover the canonical URI. The gateway checks the
 * same before dispatch; this check holds for calls that did not come through one.
 */
function dataSet(raw: string, ctx: Pick<HandlerContext, 'caller' | 'mayRead'>): DatasetSource | undefined {
  const reference = parseResourceReference(raw);
  if (reference === undefined) return undefined;
  if (reference.authority !== 'data') throw notAllowed(`${raw} is not a data set: use easyremote://data/<id>`);
  if (!reference.decoded) throw notAllowed(`${raw} has malformed percent-encoding`);
  if (reference.path === '') throw notAllowed('easyremote://data/ needs a data set id');
  if (!ctx.mayRead(reference.uri)) {
    const who = ctx.caller === undefined ? 'a call that names no caller' : `${ctx.caller.principal}`;
    throw new ToolError(
      ToolboxErrorCode.DatasetForbidden,
      `${who} may not read ${reference.uri}: it needs the resources:read scope for it`,
      { scope: `resources:read:${reference.uri}` },
    );
  }
  return { kind: 'data-set', id: reference.path, uri: reference.uri };
}

/**
 * Reads `dataset_path`: a node path, a file: URL, an http(s) URL or `easyremote://data/<id>`. `ctx`
 * is the call's: who the call is for decides which data sets it may read.
 */
export async function resolveDatasetSource(
  raw: string,
  config: DataConfig,
  ctx: Pick<HandlerContext, 'caller' | 'mayRead'>,
): Promise<DatasetSource> {
  const stored = dataSet(raw, ctx);
  if (stored !== undefined) return stored;
  if (/^https?:\/\//i.test(raw)) {
    if (!config.allowUrls) throw notAllowed('this node does not fetch URLs (EASYREMOTE_DATA_ALLOW_URLS=0)');
    return { kind: 'url', url: new URL(raw).href };
  }
  if (/^file:\/\//i.test(raw)) return nodePath(fileURLToPath(raw), config);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw))
    throw notAllowed(`unsupported data set scheme in ${raw}: use a node path, http(s):// or easyremote://data/<id>`);
  return nodePath(raw, config);
}
