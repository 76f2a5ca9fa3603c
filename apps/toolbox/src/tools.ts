import type { ToolDefinition } from '@easyremote/node-sdk';
import { createToolbox } from './create-toolbox.js';

/**
 * The toolbox node's entry: the only place the toolbox reads process.env. The node runner
 * (`easyremote node @easyremote/toolbox`) loads this module and takes its `tools` export (or its
 * default export, the same array); tools are built at import time from the environment.
 */
const toolbox = createToolbox(process.env);

export const tools: readonly ToolDefinition[] = toolbox.tools;
/** Models this node's LLM backend serves (EASYREMOTE_LLM_MODELS), for the node's `models` capability. */
export const models: readonly string[] = toolbox.models;
export default tools;
