import { EasyRemoteError } from '@easyremote/protocol';

export const ClientErrorCode = {
  /** A method was called before connect() or after close(). */
  NotConnected: 'REMOTE_ERR_NOT_CONNECTED',
  /** The answer could not be understood (no content, unexpected shape). */
  BadResult: 'REMOTE_ERR_BAD_RESULT',
  /** remote(): the tool asked for client input (elicitation, sampling), which needs an MCP client. */
  InputRequired: 'REMOTE_ERR_INPUT_REQUIRED',
  /** A failed tool result (`isError`) that carried no EasyRemote error code. */
  ToolFailed: 'REMOTE_ERR_TOOL_FAILED',
  /** startTask(): the tool answered at once instead of starting a task (it does not support tasks). */
  NotATask: 'REMOTE_ERR_NOT_A_TASK',
  /** A task request was refused (unknown or expired task, a missing capability) or the gateway failed. */
  TaskRequestFailed: 'REMOTE_ERR_TASK_REQUEST_FAILED',
  /** awaitTask(): the task was cancelled before it ended. */
  TaskCancelled: 'REMOTE_ERR_TASK_CANCELLED',
  /** awaitTask(): the task had not ended within the time given. */
  TaskTimeout: 'REMOTE_ERR_TASK_TIMEOUT',
} as const;

/**
 * A tool call that failed. `code` is the stable code from the mesh (NODE_ERR_*, GW_ERR_*, or the tool's
 * own ToolError code), so callers branch on it rather than on the message.
 */
export class RemoteToolError extends EasyRemoteError {
  readonly tool: string;

  constructor(tool: string, code: string, message: string, data?: unknown) {
    super(code, message, { data });
    this.name = 'RemoteToolError';
    this.tool = tool;
  }
}

export class ClientError extends EasyRemoteError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClientError';
  }
}
