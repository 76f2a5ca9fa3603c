import type { ToolDefinition } from '@easyremote/node-sdk';
import { checksum } from './checksum.js';
import { EnvReader, type Env } from './config/env-reader.js';
import { BUILTIN_CHUNK_FUNCTIONS, ChunkFunctionRegistry, type ChunkFunction } from './data/custom-functions.js';
import { readDataConfig } from './data/data-config.js';
import { createDataProcessingTool } from './data/data-processing-tool.js';
import { NatsDataSetStore, noDataSetStore, type DataSetStore } from './data/data-set-store.js';
import { echo } from './echo.js';
import { createImageBackend } from './image/image-backends.js';
import { readImageConfig } from './image/image-config.js';
import { createImageGenerationTool } from './image/image-generation-tool.js';
import { readLlmConfig } from './llm/llm-config.js';
import { createLlmInferenceTool } from './llm/llm-inference-tool.js';
import { createCodeExecutionTool } from './sandbox/code-execution-tool.js';
import { CodeSandbox } from './sandbox/code-sandbox.js';
import { readSandboxConfig } from './sandbox/sandbox-config.js';

export interface ToolboxOptions {
  /** Chunk functions for `processing_type: "custom"` besides the built-in ones. */
  chunkFunctions?: readonly ChunkFunction[];
  /** Whether this process runs as root (decides how the sandbox drops privileges); from process.getuid(). */
  isRoot?: boolean;
}

/** The toolbox as configured by one environment: its tools and what the node should advertise. */
export interface Toolbox {
  readonly tools: readonly ToolDefinition[];
  /** Models the configured LLM backend serves: pass them as the node's `models` capability. */
  readonly models: readonly string[];
  /** The code sandbox (its start-up self-test runs from construction; `status()` tells the outcome). */
  readonly sandbox: CodeSandbox;
  /** Closes what the tools opened (the data-set store's NATS connection). */
  close(): Promise<void>;
}

/**
 * Builds the toolbox from environment variables, read here once and checked together (a bad value
 * throws TOOLBOX_ERR_INVALID_CONFIG naming every bad variable). Tools whose backend is not
 * configured are left out: `distributed_llm_inference` exists only with EASYREMOTE_LLM_BASE_URL.
 */
export function createToolbox(env: Env, options: ToolboxOptions = {}): Toolbox {
  const reader = new EnvReader(env);
  const llm = readLlmConfig(reader);
  const data = readDataConfig(reader);
  const image = readImageConfig(reader);
  const sandboxConfig = readSandboxConfig(reader);
  reader.finish();

  const store: DataSetStore = data.natsServers === undefined ? noDataSetStore : new NatsDataSetStore(data.natsServers);
  const sandbox = new CodeSandbox(sandboxConfig, { isRoot: options.isRoot ?? process.getuid?.() === 0 });
  const tools: ToolDefinition[] = [
    echo,
    checksum,
    ...(llm === undefined ? [] : [createLlmInferenceTool(llm)]),
    createDataProcessingTool({
      config: data,
      store,
      functions: new ChunkFunctionRegistry([...BUILTIN_CHUNK_FUNCTIONS, ...(options.chunkFunctions ?? [])]),
    }),
    createImageGenerationTool(image, createImageBackend(image)),
    createCodeExecutionTool(sandbox),
  ];
  return {
    tools: Object.freeze(tools),
    models: Object.freeze([...(llm?.models ?? [])]),
    sandbox,
    close: () => store.close(),
  };
}

/** The toolbox's tools for an environment (see createToolbox). */
export function createToolboxTools(env: Env, options: ToolboxOptions = {}): readonly ToolDefinition[] {
  return createToolbox(env, options).tools;
}
