import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ClientError, ClientErrorCode } from './errors.js';
import { TaskRequests, type AwaitTaskOptions, type TaskStatus } from './task-requests.js';
import { toolValue } from './tool-value.js';

export interface MCPClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** `legacy` (2025 handshake), `modern` (2026-07-28) or `auto` (probe, then fall back). Default auto. */
  era?: 'auto' | 'legacy' | 'modern';
  clientInfo?: { name: string; version: string };
}

type RawClient = InstanceType<typeof Client>;
type ListedTool = Awaited<ReturnType<RawClient['listTools']>>['tools'][number];

/**
 * The seed's `MCPClient`: an MCP client for an EasyRemote gateway with the calls an agent needs.
 * Built on the SDK's client; `callTool` returns the tool's value (structured content or text) and
 * throws RemoteToolError on failure, `raw` exposes the SDK client for anything else.
 */
export class MCPClient implements AsyncDisposable {
  readonly #url: URL;
  readonly #options: MCPClientOptions;
  #client: RawClient | undefined;
  readonly #tasks: TaskRequests;

  constructor(url: string | URL, options: MCPClientOptions = {}) {
    const base = new URL(url);
    if (!base.pathname.replace(/\/+$/, '').endsWith('/mcp')) base.pathname = `${base.pathname.replace(/\/+$/, '')}/mcp`;
    this.#url = base;
    this.#options = options;
    this.#tasks = new TaskRequests(base, options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {});
  }

  async connect(): Promise<void> {
    if (this.#client) return;
    const era = this.#options.era ?? 'auto';
    const client = new Client(this.#options.clientInfo ?? { name: 'easyremote-mcp-client', version: '0.1.0' }, {
      versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : era },
    });
    const headers: Record<string, string> = this.#options.apiKey
      ? { authorization: `Bearer ${this.#options.apiKey}` }
      : {};
    await client.connect(new StreamableHTTPClientTransport(this.#url, { requestInit: { headers } }));
    this.#client = client;
  }

  get raw(): RawClient {
    if (!this.#client)
      throw new ClientError(ClientErrorCode.NotConnected, 'MCPClient is not connected: call connect() first');
    return this.#client;
  }

  /** Every tool, following pagination. */
  async listTools(): Promise<ListedTool[]> {
    const tools: ListedTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.raw.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** Calls a tool and returns its value; throws RemoteToolError (with the mesh's code) when it fails. */
  async callTool<Result = unknown>(name: string, args: Record<string, unknown> = {}): Promise<Result> {
    return toolValue<Result>(name, await this.raw.callTool({ name, arguments: args }));
  }

  /**
   * Starts a tool as a durable task and resolves with the task id once the gateway holds it; the
   * task runs on whether or not this client waits. Throws REMOTE_ERR_NOT_A_TASK for a tool that
   * does not run as a task. Tasks use the 2026-07-28 Tasks extension whatever era `connect` chose.
   */
  startTask(name: string, args: Record<string, unknown> = {}): Promise<string> {
    return this.#tasks.start(name, args);
  }

  /** A task's status (and, once it ended, its result or error), from any gateway replica. */
  getTask(taskId: string): Promise<TaskStatus> {
    return this.#tasks.get(taskId);
  }

  /**
   * Waits for a task to end and returns its value as `callTool` does (RemoteToolError when it
   * failed, REMOTE_ERR_TASK_CANCELLED when it was cancelled, REMOTE_ERR_TASK_TIMEOUT after `timeoutMs`).
   */
  awaitTask<Result = unknown>(taskId: string, tool = 'task', options: AwaitTaskOptions = {}): Promise<Result> {
    return this.#tasks.wait<Result>(taskId, tool, options);
  }

  /** Starts a tool as a task and waits for its value: a long call that outlives any request timeout. */
  async runTask<Result = unknown>(
    name: string,
    args: Record<string, unknown> = {},
    options: AwaitTaskOptions = {},
  ): Promise<Result> {
    return this.awaitTask<Result>(await this.startTask(name, args), name, options);
  }

  /** Answers a task's `inputRequests` (keys as `getTask` lists them). */
  answerTask(taskId: string, inputResponses: Record<string, unknown>): Promise<void> {
    return this.#tasks.answer(taskId, inputResponses);
  }

  /** Cancels a task (a task that ended stays as it ended). */
  cancelTask(taskId: string): Promise<void> {
    return this.#tasks.cancel(taskId);
  }

  async listResources() {
    return (await this.raw.listResources()).resources;
  }

  /** A resource's contents; JSON resources (like `easyremote://compute/<node>`) are parsed. */
  async readResource(uri: string): Promise<unknown> {
    const { contents } = await this.raw.readResource({ uri });
    const [first] = contents as Array<{ text?: string; blob?: string; mimeType?: string }>;
    if (contents.length === 1 && first?.text !== undefined)
      return first.mimeType === 'application/json' ? JSON.parse(first.text) : first.text;
    return contents;
  }

  async listPrompts() {
    return (await this.raw.listPrompts()).prompts;
  }

  async getPrompt(name: string, args: Record<string, string> = {}) {
    return this.raw.getPrompt({ name, arguments: args });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
