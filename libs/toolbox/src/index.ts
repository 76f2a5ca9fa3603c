import { ComputeNode, type ComputeNodeOptions } from '@easyremote/node-sdk';
import { createToolbox, type Toolbox } from './create-toolbox.js';

export { echo, ECHO_MAX_LENGTH } from './echo.js';
export { checksum, CHECKSUM_ALGORITHMS, CHECKSUM_MAX_INPUT } from './checksum.js';
export type { ChecksumAlgorithm } from './checksum.js';
export { ToolboxErrorCode, ToolboxError } from './errors.js';
export { createToolbox, createToolboxTools } from './create-toolbox.js';
export type { Toolbox, ToolboxOptions } from './create-toolbox.js';
export { defineChunkFunction, BUILTIN_CHUNK_FUNCTIONS } from './data/custom-functions.js';
export type { ChunkFunction } from './data/custom-functions.js';
export { uploadDataSet, DATA_SET_ID } from './data/upload-data-set.js';
export type { UploadDataSetOptions, UploadedDataSet } from './data/upload-data-set.js';

/**
 * The tools-module entry the node runner uses (`easyremote node @easyremote/toolbox`): the toolbox
 * built from the environment the runner hands over, since a library reads none itself. A bad value
 * throws TOOLBOX_ERR_INVALID_CONFIG naming every bad variable.
 */
export function fromEnvironment(env: Readonly<Record<string, string | undefined>>): Toolbox {
  return createToolbox(env);
}

/** A compute node serving every toolbox tool configured from `env`, advertising its models; call `start()`. */
export function createToolboxNode(
  options: ComputeNodeOptions,
  env: Readonly<Record<string, string | undefined>>,
): { node: ComputeNode; toolbox: Toolbox } {
  const toolbox = createToolbox(env);
  const models = [...new Set([...(options.models ?? []), ...toolbox.models])];
  return { node: new ComputeNode({ ...options, models }).register(...toolbox.tools), toolbox };
}
