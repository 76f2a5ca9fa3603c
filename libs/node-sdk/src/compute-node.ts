import { randomUUID } from 'node:crypto';
import { connectMesh } from '@easyremote/mesh';
import { EasyRemoteError, nodeCallSubject, toolSubject, TOOL_QUEUE_GROUP, WireErrorCode, type NodeAdvert, type NodeCapabilities } from '@easyremote/protocol';
import { NodeAdvertiser, openRegistry } from '@easyremote/registry';
import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/nats-core';
import { handleCall, replyHeaders, type CallState } from './call-handler.js';
import { compiledTool, type CompiledTool, type ToolDefinition } from './define-tool.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import { localCapabilities } from './node-identity.js';
import { resolveNodeOptions, type ComputeNodeOptions, type ResolvedNodeOptions } from './node-options.js';

export interface StopOptions {
  /** How long in-flight calls may keep running before they are aborted. Default 10 000 ms. */
  graceMs?: number;
}

type NodeState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A process's presence on the mesh: serves its tools on `tools.<name>` (queue group) and
 * `nodes.<id>.call`, and advertises them in the registry with heartbeats. Installs no signal
 * handlers: the app calls stop() on SIGTERM.
 */
export class ComputeNode implements AsyncDisposable {
  readonly #options: ResolvedNodeOptions;
  readonly #definitions = new Map<string, ToolDefinition>();
  readonly #tools = new Map<string, CompiledTool>();
  readonly #active = new Set<AbortController>();
  readonly #subs: Subscription[] = [];
  readonly #hdrs: MsgHdrs;
  readonly #capabilities: NodeCapabilities;
  #state: NodeState = 'idle';
  #call: CallState | undefined;
  #advertiser: NodeAdvertiser | undefined;
  #refreshing: Promise<void> = Promise.resolve();
  #toolsVersion = 0;
  #advertisedVersion = -1;
  #instanceId = '';
  #startedAt = 0;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ComputeNodeOptions) {
    this.#options = resolveNodeOptions(options);
    this.#hdrs = replyHeaders(this.#options.nodeId);
    this.#capabilities = localCapabilities(this.#options.labels);
  }

  get nodeId(): string {
    return this.#options.nodeId;
  }

  /** Calls running now (a handler abandoned at its deadline no longer counts). */
  get inFlight(): number {
    return this.#active.size;
  }

  get tools(): readonly ToolDefinition[] {
    return [...this.#definitions.values()];
  }

  /** Adds tools. After start() they are subscribed at once and the advert is refreshed. */
  register(...tools: ToolDefinition[]): this {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new NodeSdkError(NodeSdkErrorCode.InvalidState, `cannot register tools on a ${this.#state} node`);
    }
    const batch = tools.map(compiledTool);
    const seen = new Set(this.#tools.keys());
    for (const tool of batch) {
      if (seen.has(tool.name)) throw new NodeSdkError(NodeSdkErrorCode.DuplicateTool, `tool ${JSON.stringify(tool.name)} is already registered on node ${this.nodeId}`);
      seen.add(tool.name);
    }
    batch.forEach((tool, i) => {
      this.#tools.set(tool.name, tool);
      this.#definitions.set(tool.name, tools[i] as ToolDefinition);
      if (this.#call !== undefined) this.#subscribe(this.#call, toolSubject(tool.name), tool.name);
    });
    this.#toolsVersion++;
    if (this.#state === 'running') this.#refreshAdvert();
    return this;
  }

  /** Connects (unless given a connection), subscribes every tool, then advertises the node. */
  start(): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new NodeSdkError(NodeSdkErrorCode.InvalidState, `start() on a ${this.#state} node`));
    this.#state = 'starting';
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const o = this.#options;
    let nc: NatsConnection | undefined = o.connection;
    try {
      nc ??= await connectMesh({ ...o.mesh, servers: o.servers ?? [], name: o.name, logger: o.logger });
      const call: CallState = { nc, nodeId: o.nodeId, logger: o.logger, maxConcurrency: o.maxConcurrency, defaultTimeoutMs: o.defaultTimeoutMs, tools: this.#tools, active: this.#active, accepting: true, onCallEnd: undefined };
      this.#call = call;
      this.#subscribe(call, nodeCallSubject(o.nodeId), undefined);
      for (const name of this.#tools.keys()) this.#subscribe(call, toolSubject(name), name);
      // The server must know our interest before a gateway can learn from the advert that we exist.
      await nc.flush();
      this.#instanceId = randomUUID();
      this.#startedAt = Date.now();
      const kv = await openRegistry(nc, { bucket: o.registryBucket, ...(o.registryDomain === undefined ? {} : { domain: o.registryDomain }) });
      this.#advertiser = new NodeAdvertiser(kv, { nodeId: o.nodeId, heartbeatMs: o.heartbeatMs, logger: o.logger, advert: () => this.#advert() });
      await this.#advertiser.start();
      this.#state = 'running';
      if (this.#advertisedVersion !== this.#toolsVersion) this.#refreshAdvert();
      o.logger.info({ tools: [...this.#tools.keys()], maxConcurrency: o.maxConcurrency }, 'compute node started');
    } catch (error) {
      for (const sub of this.#subs.splice(0)) sub.unsubscribe();
      this.#call = undefined;
      this.#advertiser = undefined;
      if (nc !== undefined && o.connection === undefined) await nc.close().catch(() => {});
      this.#state = 'idle';
      throw error;
    }
  }

  /**
   * Leaves the mesh gracefully: the registry entry goes first (gateways stop routing here), then
   * the subscriptions, then in-flight calls get `graceMs` to finish before they are aborted.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'idle') this.#state = 'stopped';
    const starting = this.#starting;
    this.#stopping ??= (async () => {
      // A stop during start() waits for it, so the advertiser and subscriptions exist to be removed.
      await starting?.catch(() => {});
      await this.#stop(options.graceMs ?? 10_000);
    })();
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #stop(graceMs: number): Promise<void> {
    const call = this.#call;
    if (call === undefined) {
      // Never started, or its start failed: there is nothing to leave, but it must not start later.
      this.#state = 'stopped';
      return;
    }
    const log = this.#options.logger;
    this.#state = 'stopping';
    await this.#refreshing;
    await this.#advertiser?.stop().catch((error: unknown) => log.warn({ err: error }, 'could not delete the registry entry'));
    // drain() stops delivery but still hands us the calls already on their way; they are served
    // normally within the grace period, since their callers chose this node before it left.
    await Promise.allSettled(this.#subs.splice(0).map((sub) => sub.drain()));
    call.accepting = false;
    if (!(await this.#idle(call, graceMs))) {
      log.warn({ inFlight: this.#active.size, graceMs }, 'aborting calls still running after the grace period');
      const reason = new EasyRemoteError(WireErrorCode.ShuttingDown, `node ${this.nodeId} stopped before the call finished`);
      for (const controller of this.#active) controller.abort(reason);
      await this.#idle(call, 1_000);
    }
    if (this.#options.connection === undefined) await call.nc.drain().catch(() => call.nc.close());
    else await call.nc.flush().catch(() => {});
    this.#state = 'stopped';
    log.info({}, 'compute node stopped');
  }

  /** Resolves true once no call runs, false if `ms` passed first. */
  #idle(call: CallState, ms: number): Promise<boolean> {
    if (this.#active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        call.onCallEnd = undefined;
        resolve(false);
      }, ms);
      call.onCallEnd = () => {
        if (this.#active.size > 0) return;
        clearTimeout(timer);
        call.onCallEnd = undefined;
        resolve(true);
      };
    });
  }

  #subscribe(call: CallState, subject: string, tool: string | undefined): void {
    const queue = tool === undefined ? undefined : TOOL_QUEUE_GROUP;
    const sub = call.nc.subscribe(subject, {
      ...(queue === undefined ? {} : { queue }),
      callback: (err, msg) => {
        if (err) call.logger.warn({ err, subject }, 'subscription error');
        else handleCall(call, this.#hdrs, msg, tool);
      },
    });
    this.#subs.push(sub);
  }

  #refreshAdvert(): void {
    const advertiser = this.#advertiser;
    if (advertiser === undefined) return;
    this.#refreshing = this.#refreshing
      .then(() => advertiser.refresh())
      .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'could not refresh the registry advert'));
  }

  #advert(): NodeAdvert {
    const o = this.#options;
    this.#advertisedVersion = this.#toolsVersion;
    return {
      version: 1,
      nodeId: o.nodeId,
      instanceId: this.#instanceId,
      startedAt: this.#startedAt,
      heartbeatAt: Date.now(),
      ttlMs: o.ttlMs,
      tools: [...this.#definitions.values()].map((tool) => tool.descriptor),
      capabilities: this.#capabilities,
      load: { inFlight: this.#active.size, maxConcurrency: o.maxConcurrency },
    };
  }
}
