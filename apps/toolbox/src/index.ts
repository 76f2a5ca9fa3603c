import { ComputeNode, type ComputeNodeOptions } from '@easyremote/node-sdk';
import { tools } from './tools.js';

export { echo, ECHO_MAX_LENGTH } from './echo.js';
export { checksum, CHECKSUM_ALGORITHMS, CHECKSUM_MAX_INPUT } from './checksum.js';
export type { ChecksumAlgorithm } from './checksum.js';
export { ToolboxErrorCode } from './errors.js';
export { tools };
export const toolboxTools = tools;
export default tools;

/** A compute node serving every toolbox tool; call `start()` on it. */
export function createToolboxNode(options: ComputeNodeOptions): ComputeNode {
  return new ComputeNode(options).register(...tools);
}
