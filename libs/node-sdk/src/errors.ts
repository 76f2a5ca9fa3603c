import { EasyRemoteError, WireErrorCode } from '@easyremote/protocol';

/**
 * Local errors of the node SDK: raised to the program that builds a node (bad definitions, bad
 * options, misuse of the lifecycle). They never travel on the wire; call failures use WireErrorCode.
 */
export const NodeSdkErrorCode = {
  /** A tool name is not a valid MCP tool name. */
  InvalidToolName: 'NODE_SDK_ERR_INVALID_TOOL_NAME',
  /**
   * A tool definition is unusable (schema not an object, bad timeout), or `register()` got something
   * that no define*() function built.
   */
  InvalidTool: 'NODE_SDK_ERR_INVALID_TOOL',
  /** Two tools with the same name were registered on one node. */
  DuplicateTool: 'NODE_SDK_ERR_DUPLICATE_TOOL',
  /** A resource or resource template definition is unusable (bad URI or template, no read function). */
  InvalidResource: 'NODE_SDK_ERR_INVALID_RESOURCE',
  /** Two resources with the same URI, or two templates with the same URI template, on one node. */
  DuplicateResource: 'NODE_SDK_ERR_DUPLICATE_RESOURCE',
  /** A prompt definition is unusable (bad name or arguments, no get function). */
  InvalidPrompt: 'NODE_SDK_ERR_INVALID_PROMPT',
  /** Two prompts with the same name on one node. */
  DuplicatePrompt: 'NODE_SDK_ERR_DUPLICATE_PROMPT',
  /** ComputeNode options are invalid (node id, limits, timings). */
  InvalidOptions: 'NODE_SDK_ERR_INVALID_OPTIONS',
  /** start() or register() was called in a state that does not allow it. */
  InvalidState: 'NODE_SDK_ERR_INVALID_STATE',
} as const;
export type NodeSdkErrorCode = (typeof NodeSdkErrorCode)[keyof typeof NodeSdkErrorCode];

export class NodeSdkError extends EasyRemoteError {
  constructor(code: NodeSdkErrorCode, message: string, options?: { cause?: unknown; data?: unknown }) {
    super(code, message, options);
    this.name = 'NodeSdkError';
  }
}

/**
 * Thrown by a tool handler to fail the call with its own stable code (for example
 * `IMG_ERR_UNSUPPORTED_FORMAT`). The code, message and data travel unchanged to the caller, unlike
 * any other exception, which the node reports as NODE_ERR_HANDLER_FAILED with its message only.
 */
export class ToolError extends EasyRemoteError {
  constructor(code: string, message: string, data?: unknown) {
    if (typeof code !== 'string' || code.length === 0) throw new TypeError('ToolError needs a non-empty code');
    super(code, message, data === undefined ? undefined : { data });
    this.name = 'ToolError';
  }
}

/**
 * Thrown by a tool handler to fail the request itself rather than return a failed result: the MCP
 * client receives a JSON-RPC error (code -32603 with `data.code` `NODE_ERR_REQUEST_FAILED`) instead
 * of an `isError` result the model reads, and a task ends `failed` instead of `completed`. Use it
 * when the call cannot be served at all; use ToolError for a failure the model should see.
 */
export class RequestError extends EasyRemoteError {
  constructor(message: string, data?: unknown) {
    super(WireErrorCode.RequestFailed, message, data === undefined ? undefined : { data });
    this.name = 'RequestError';
  }
}
