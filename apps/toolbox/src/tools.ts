import type { ToolDefinition } from '@easyremote/node-sdk';
import { checksum } from './checksum.js';
import { echo } from './echo.js';

/**
 * Every tool the toolbox node serves. The node runner loads a tools module by path and takes its
 * `tools` export or its default export, so both name the same array.
 */
export const tools: readonly ToolDefinition[] = Object.freeze([echo, checksum]);
export default tools;
