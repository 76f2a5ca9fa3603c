import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import type { DataConfig } from './data-config.js';

/** The seed's data-set URI scheme: data sets uploaded into the mesh's object store. */
export const DATA_SET_URI_PREFIX = 'easyremote://data/';

export type DatasetSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'data-set'; readonly id: string };

function notAllowed(message: string): ToolError {
  return new ToolError(ToolboxErrorCode.DatasetNotAllowed, message);
}

async function nodePath(raw: string, config: DataConfig): Promise<DatasetSource> {
  if (config.dataDir === undefined) {
    throw notAllowed('this node reads no node paths (its operator has not set EASYREMOTE_DATA_DIR); use an http(s) URL or easyremote://data/<id>');
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

/** Reads `dataset_path`: a node path, a file: URL, an http(s) URL or `easyremote://data/<id>`. */
export async function resolveDatasetSource(raw: string, config: DataConfig): Promise<DatasetSource> {
  if (raw.startsWith(DATA_SET_URI_PREFIX)) {
    const id = decodeURIComponent(raw.slice(DATA_SET_URI_PREFIX.length));
    if (id === '') throw notAllowed('easyremote://data/ needs a data set id');
    return { kind: 'data-set', id };
  }
  if (/^https?:\/\//i.test(raw)) {
    if (!config.allowUrls) throw notAllowed('this node does not fetch URLs (EASYREMOTE_DATA_ALLOW_URLS=0)');
    return { kind: 'url', url: new URL(raw).href };
  }
  if (/^file:\/\//i.test(raw)) return nodePath(fileURLToPath(raw), config);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw notAllowed(`unsupported data set scheme in ${raw}: use a node path, http(s):// or easyremote://data/<id>`);
  return nodePath(raw, config);
}
