import { ComputeNode, type ComputeNodeOptions } from '@easyremote/node-sdk';
import { models, tools } from './tools.js';

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
export { tools, models };
export const toolboxTools = tools;
export default tools;

/** A compute node serving every toolbox tool (configured from process.env) and advertising its models; call `start()`. */
export function createToolboxNode(options: ComputeNodeOptions): ComputeNode {
  return new ComputeNode({ ...options, models: [...new Set([...(options.models ?? []), ...models])] }).register(
    ...tools,
  );
}
