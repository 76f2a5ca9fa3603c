// A raw 2026-07-28 client of the Tasks extension (SEP-2663) over fetch: no SDK implements it yet,
// so the e2e tests and the bench speak the wire protocol itself — every request stateless, the
// extension declared in its own `_meta`, the task id in `Mcp-Name`.
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export class JsonRpcFailure extends Error {
  readonly code: number;
  readonly data: unknown;
  readonly status: number;
  constructor(error: { code: number; message: string; data?: unknown }, status: number) {
    super(`${error.code}: ${error.message}`);
    this.code = error.code;
    this.data = error.data;
    this.status = status;
  }
}

export interface TaskClientOptions {
  /** An API key or token sent as `Authorization: Bearer`. */
  token?: string;
  /** Declare the Tasks extension in every request (default true). */
  declareTasks?: boolean;
}

export type TaskView = Record<string, unknown> & { taskId: string; status: string };

export class TaskClient {
  readonly #url: string;
  readonly #options: TaskClientOptions;
  #id = 0;

  constructor(mcpUrl: string, options: TaskClientOptions = {}) {
    this.#url = mcpUrl;
    this.#options = options;
  }

  async request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const capabilities = this.#options.declareTasks === false ? {} : { extensions: { [TASKS_EXTENSION]: {} } };
    const name =
      typeof params.taskId === 'string' ? params.taskId : typeof params.name === 'string' ? params.name : undefined;
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': method,
        ...(name === undefined ? {} : { 'mcp-name': name }),
        ...(this.#options.token === undefined ? {} : { authorization: `Bearer ${this.#options.token}` }),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: ++this.#id,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'task-client', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, ...capabilities },
          },
        },
      }),
    });
    const body = (await response.json()) as {
      result?: Record<string, unknown>;
      error?: { code: number; message: string };
    };
    if (body.error !== undefined) throw new JsonRpcFailure(body.error, response.status);
    if (body.result === undefined) throw new Error(`no result: ${JSON.stringify(body)}`);
    return body.result;
  }

  callTool(name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.request('tools/call', { name, arguments: args });
  }

  async getTask(taskId: string): Promise<TaskView> {
    return (await this.request('tasks/get', { taskId })) as TaskView;
  }

  /** Polls `tasks/get` until the task reaches `status` (or ends), within `timeoutMs`. */
  async waitFor(taskId: string, status: string, timeoutMs = 15_000, everyMs = 100): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.getTask(taskId);
      if (task.status === status || ['completed', 'failed', 'cancelled'].includes(task.status)) return task;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  /** Polls until the task ends. */
  waitForEnd(taskId: string, timeoutMs = 15_000): Promise<TaskView> {
    return this.waitFor(taskId, 'completed', timeoutMs);
  }
}
