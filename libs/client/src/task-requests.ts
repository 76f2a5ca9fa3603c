import { ClientError, ClientErrorCode, RemoteToolError } from './errors.js';
import { toolValue } from './tool-value.js';

const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** A task as `getTask` reports it (the 2026-07-28 Tasks extension's `DetailedTask`). */
export interface TaskStatus {
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs?: number;
  statusMessage?: string;
  inputRequests?: Record<string, { method: string; params: Record<string, unknown> }>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export interface AwaitTaskOptions {
  signal?: AbortSignal;
  /** Give up (REMOTE_ERR_TASK_TIMEOUT) after this long; the task itself runs on. */
  timeoutMs?: number;
}

/**
 * The 2026-07-28 Tasks extension over plain HTTP: the MCP SDK's client does not implement it (it
 * refuses a `resultType: "task"` answer), and every EasyRemote gateway serves the stateless era on
 * the same endpoint whatever era the SDK client negotiated. Each request declares the extension in
 * its own `_meta`, as the extension requires.
 */
export class TaskRequests {
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  #id = 0;

  constructor(url: URL, headers: Record<string, string>) {
    this.#url = url;
    this.#headers = headers;
  }

  async #request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const target = typeof params.taskId === 'string' ? params.taskId : (params.name as string | undefined);
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': method,
          ...(target === undefined ? {} : { 'mcp-name': target }),
          ...this.#headers,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: ++this.#id,
          method,
          params: {
            ...params,
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientInfo': { name: 'easyremote-mcp-client', version: '0.1.0' },
              // A task's input requests are answered with answerTask, so the tool may ask for them.
              'io.modelcontextprotocol/clientCapabilities': {
                elicitation: {},
                sampling: {},
                extensions: { [TASKS_EXTENSION]: {} },
              },
            },
          },
        }),
      });
    } catch (cause) {
      throw new ClientError(ClientErrorCode.TaskRequestFailed, `${method} could not reach ${this.#url.href}`, {
        cause,
      });
    }
    const text = await response.text();
    let body: { result?: Record<string, unknown>; error?: { code?: unknown; message?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ClientError(ClientErrorCode.TaskRequestFailed, `${method}: HTTP ${response.status}, not JSON-RPC`);
    }
    if (body.error !== undefined)
      throw new ClientError(
        ClientErrorCode.TaskRequestFailed,
        `${method}: ${String(body.error.message)} (${String(body.error.code)})`,
      );
    if (body.result === undefined)
      throw new ClientError(ClientErrorCode.BadResult, `${method} answered without a result`);
    return body.result;
  }

  async start(name: string, args: Record<string, unknown>): Promise<string> {
    const answer = await this.#request('tools/call', { name, arguments: args });
    if (answer.resultType !== 'task' || typeof answer.taskId !== 'string')
      throw new ClientError(ClientErrorCode.NotATask, `tool ${name} answered at once: it does not run as a task`);
    return answer.taskId;
  }

  async get(taskId: string): Promise<TaskStatus> {
    return (await this.#request('tasks/get', { taskId })) as unknown as TaskStatus;
  }

  async cancel(taskId: string): Promise<void> {
    await this.#request('tasks/cancel', { taskId });
  }

  async answer(taskId: string, inputResponses: Record<string, unknown>): Promise<void> {
    await this.#request('tasks/update', { taskId, inputResponses });
  }

  /** Polls until the task ends: its value (as `callTool` returns it), or its failure thrown. */
  async wait<Result>(taskId: string, tool: string, options: AwaitTaskOptions = {}): Promise<Result> {
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const task = await this.get(taskId);
      if (TERMINAL.has(task.status)) return this.#ended<Result>(task, tool);
      if (Date.now() >= deadline)
        throw new ClientError(ClientErrorCode.TaskTimeout, `task ${taskId} is still ${task.status}`);
      const wait = Math.min(Math.max(task.pollIntervalMs ?? 500, 50), 5_000, deadline - Date.now());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  #ended<Result>(task: TaskStatus, tool: string): Result {
    if (task.status === 'completed' && task.result !== undefined) return toolValue<Result>(tool, task.result);
    if (task.status === 'cancelled')
      throw new ClientError(ClientErrorCode.TaskCancelled, `task ${task.taskId} was cancelled`);
    const code = (task.error?.data as { code?: unknown } | undefined)?.code;
    throw new RemoteToolError(
      tool,
      typeof code === 'string' ? code : ClientErrorCode.ToolFailed,
      task.error?.message ?? `task ${task.taskId} failed`,
      task.error?.data,
    );
  }
}
