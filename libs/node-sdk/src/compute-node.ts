import { randomUUID } from 'node:crypto';
import { connectMesh, PayloadStore } from '@easyremote/mesh';
import {
  CANCEL_SUBJECT,
  EasyRemoteError,
  encodeJson,
  nodeCallSubject,
  nodeResumeSubject,
  nodeRpcSubject,
  RESOURCE_UPDATED_SUBJECT,
  toolSubject,
  TOOL_QUEUE_GROUP,
  WireErrorCode,
  type NodeAdvert,
  type NodeCapabilities,
  MAX_STATE_BYTES,
} from '@easyremote/protocol';
import { NodeAdvertiser, openRegistry } from '@easyremote/registry';
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { handleCall } from './serve-call.js';
import { TaskStateWriter } from './task-state-writer.js';
import { handleCancel, handleResume } from './control-handlers.js';
import type { PromptDefinition } from './define-prompt.js';
import type { ResourceDefinition } from './define-resource.js';
import type { ResourceTemplateDefinition } from './define-resource-template.js';
import type { ToolDefinition } from './define-tool.js';
import { NodeSdkError, NodeSdkErrorCode } from './errors.js';
import { NodeCatalog, type NodeDefinition } from './node-catalog.js';
import { detectGpus } from './gpu-detect.js';
import { LoadStats } from './load-stats.js';
import { localCapabilities } from './node-identity.js';
import { resolveNodeOptions, type ComputeNodeOptions, type ResolvedNodeOptions } from './node-options.js';
import type { FinishedCall, NodeRuntime } from './node-runtime.js';
import { DeadlineWatch } from './deadline-watch.js';
import { handleRpc } from './serve-rpc.js';
import type { CallSession } from './call-session.js';
import { RunningCalls } from './running-calls.js';

export interface StopOptions {
  /** How long in-flight calls may keep running before they are aborted. Default 10 000 ms. */
  graceMs?: number;
}

type NodeState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A process's presence on the mesh: serves its tools on `tools.<name>` (queue group) and
 * `nodes.<id>.call`, resources, prompts and completions on `nodes.<id>.rpc`, resumes of parked
 * 2026-era calls on `nodes.<id>.resume`, listens to `calls.cancel`, and advertises everything in the
 * registry with heartbeats. Installs no signal handlers: the app calls stop() on SIGTERM.
 */
export class ComputeNode implements AsyncDisposable {
  readonly #options: ResolvedNodeOptions;
  readonly #catalog: NodeCatalog;
  readonly #calls: RunningCalls<CallSession>;
  /** Subscriptions that bring new work; drained first on stop. */
  readonly #intake: Subscription[] = [];
  /** Cancel and resume: kept until in-flight calls are over, so parked calls can still finish. */
  readonly #control: Subscription[] = [];
  #capabilities: NodeCapabilities;
  readonly #load = new LoadStats();
  readonly #callObservers = new Set<(call: FinishedCall) => void>();
  #state: NodeState = 'idle';
  #runtime: NodeRuntime | undefined;
  #advertiser: NodeAdvertiser | undefined;
  #refreshing: Promise<void> = Promise.resolve();
  #catalogVersion = 0;
  #advertisedVersion = -1;
  #instanceId = '';
  #startedAt = 0;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ComputeNodeOptions) {
    this.#options = resolveNodeOptions(options);
    this.#catalog = new NodeCatalog(this.#options.nodeId);
    this.#calls = new RunningCalls(this.#options.nodeId, this.#options.maxConcurrency);
    this.#capabilities = localCapabilities(
      this.#options.labels,
      this.#options.gpus,
      this.#options.models,
      this.#options.memoryBytes,
    );
  }

  get nodeId(): string {
    return this.#options.nodeId;
  }

  /** Requests running now, parked 2026-era calls included (a handler abandoned at its deadline no longer counts). */
  /** Observes every finished tool call (tool, duration, outcome), e.g. for metrics; returns an unsubscribe. */
  onCallFinished(observer: (call: FinishedCall) => void): () => void {
    this.#callObservers.add(observer);
    return () => this.#callObservers.delete(observer);
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  get tools(): readonly ToolDefinition[] {
    return this.#catalog.tools;
  }

  get resources(): readonly ResourceDefinition[] {
    return this.#catalog.resources;
  }

  get resourceTemplates(): readonly ResourceTemplateDefinition[] {
    return this.#catalog.resourceTemplates;
  }

  get prompts(): readonly PromptDefinition[] {
    return this.#catalog.prompts;
  }

  /**
   * Adds tools, resources, resource templates and prompts (all of a batch or, on an invalid or
   * duplicate definition, none). After start() new tools are subscribed at once and the advert is
   * refreshed.
   */
  register(...definitions: NodeDefinition[]): this {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new NodeSdkError(NodeSdkErrorCode.InvalidState, `cannot register definitions on a ${this.#state} node`);
    }
    const newTools = this.#catalog.add(definitions);
    const runtime = this.#runtime;
    if (runtime !== undefined) for (const name of newTools) this.#subscribeTool(runtime, name);
    this.#catalogVersion++;
    if (this.#state === 'running') this.#refreshAdvert();
    return this;
  }

  /**
   * Tells subscribed clients (through every gateway) that a resource changed: publishes `{ uri }` on
   * `events.resource-updated`. Only while the node runs.
   */
  notifyResourceUpdated(uri: string): void {
    const runtime = this.#runtime;
    if (this.#state !== 'running' || runtime === undefined) {
      throw new NodeSdkError(NodeSdkErrorCode.InvalidState, `notifyResourceUpdated() on a ${this.#state} node`);
    }
    if (typeof uri !== 'string' || uri === '') throw new TypeError('notifyResourceUpdated needs a non-empty uri');
    runtime.nc.publish(RESOURCE_UPDATED_SUBJECT, encodeJson({ uri }));
  }

  /** Connects (unless given a connection), subscribes everything, then advertises the node. */
  start(): Promise<void> {
    if (this.#state !== 'idle')
      return Promise.reject(new NodeSdkError(NodeSdkErrorCode.InvalidState, `start() on a ${this.#state} node`));
    this.#state = 'starting';
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const o = this.#options;
    let nc: NatsConnection | undefined = o.connection;
    try {
      if (o.gpus === undefined)
        this.#capabilities = localCapabilities(o.labels, await detectGpus(), o.models, o.memoryBytes);
      nc ??= await connectMesh({ ...o.mesh, servers: o.servers ?? [], name: o.name, logger: o.logger });
      const payloads = await PayloadStore.open(nc, {
        maxBytes: o.maxPayloadBytes,
        replicas: o.registryReplicas,
        logger: o.logger,
        ...(o.registryDomain === undefined ? {} : { domain: o.registryDomain }),
      }).catch((error: unknown) => {
        o.logger.warn({ err: error }, 'no payload object store: bodies over NATS max_payload will be refused');
        return undefined;
      });
      const runtime: NodeRuntime = {
        nc,
        nodeId: o.nodeId,
        logger: o.logger,
        defaultTimeoutMs: o.defaultTimeoutMs,
        catalog: this.#catalog,
        calls: this.#calls,
        deadlines: new DeadlineWatch(),
        load: this.#load,
        payloads,
        tasks: new TaskStateWriter(nc, o.nodeId, {
          domain: o.registryDomain,
          logger: o.logger,
          maxStateBytes: Math.min(o.maxPayloadBytes, MAX_STATE_BYTES),
        }),
        callObservers: this.#callObservers,
      };
      this.#runtime = runtime;
      this.#subscribe(runtime, this.#control, CANCEL_SUBJECT, undefined, (msg) => handleCancel(runtime, msg));
      this.#subscribe(runtime, this.#control, nodeResumeSubject(o.nodeId), undefined, (msg) =>
        handleResume(runtime, msg),
      );
      this.#subscribe(runtime, this.#intake, nodeCallSubject(o.nodeId), undefined, (msg) =>
        handleCall(runtime, msg, undefined),
      );
      this.#subscribe(runtime, this.#intake, nodeRpcSubject(o.nodeId), undefined, (msg) => handleRpc(runtime, msg));
      for (const name of this.#catalog.toolNames()) this.#subscribeTool(runtime, name);
      // The server must know our interest before a gateway can learn from the advert that we exist.
      await nc.flush();
      this.#instanceId = randomUUID();
      this.#startedAt = Date.now();
      const kv = await openRegistry(nc, {
        bucket: o.registryBucket,
        replicas: o.registryReplicas,
        logger: o.logger,
        ...(o.registryDomain === undefined ? {} : { domain: o.registryDomain }),
      });
      this.#advertiser = new NodeAdvertiser(kv, {
        nodeId: o.nodeId,
        heartbeatMs: o.heartbeatMs,
        logger: o.logger,
        advert: () => this.#advert(),
      });
      await this.#advertiser.start();
      this.#state = 'running';
      if (this.#advertisedVersion !== this.#catalogVersion) this.#refreshAdvert();
      o.logger.info(
        {
          tools: this.#catalog.toolNames(),
          resources: this.#catalog.resources.length,
          resourceTemplates: this.#catalog.resourceTemplates.length,
          prompts: this.#catalog.prompts.length,
          maxConcurrency: o.maxConcurrency,
        },
        'compute node started',
      );
    } catch (error) {
      for (const sub of [...this.#intake.splice(0), ...this.#control.splice(0)]) sub.unsubscribe();
      this.#runtime = undefined;
      this.#advertiser = undefined;
      if (nc !== undefined && o.connection === undefined) await nc.close().catch(() => {});
      this.#state = 'idle';
      throw error;
    }
  }

  /**
   * Leaves the mesh gracefully: the registry entry goes first (gateways stop routing here), then
   * the subscriptions that bring new work, then in-flight calls get `graceMs` to finish before they
   * are aborted. Cancels and resumes keep being served until then.
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
    const runtime = this.#runtime;
    if (runtime === undefined) {
      // Never started, or its start failed: there is nothing to leave, but it must not start later.
      this.#state = 'stopped';
      return;
    }
    const log = this.#options.logger;
    this.#state = 'stopping';
    await this.#refreshing;
    await this.#advertiser
      ?.stop()
      .catch((error: unknown) => log.warn({ err: error }, 'could not delete the registry entry'));
    // drain() stops delivery but still hands us the calls already on their way; they are served
    // normally within the grace period, since their callers chose this node before it left.
    await Promise.allSettled(this.#intake.splice(0).map((sub) => sub.drain()));
    this.#calls.close();
    if (!(await this.#calls.whenIdle(graceMs))) {
      log.warn({ inFlight: this.#calls.size, graceMs }, 'aborting calls still running after the grace period');
      const reason = new EasyRemoteError(
        WireErrorCode.ShuttingDown,
        `node ${this.nodeId} stopped before the call finished`,
      );
      this.#calls.abortAll(reason);
      await this.#calls.whenIdle(1_000);
    }
    await Promise.allSettled(this.#control.splice(0).map((sub) => sub.drain()));
    if (this.#options.connection === undefined) await runtime.nc.drain().catch(() => runtime.nc.close());
    else await runtime.nc.flush().catch(() => {});
    this.#state = 'stopped';
    log.info({}, 'compute node stopped');
  }

  #subscribeTool(runtime: NodeRuntime, name: string): void {
    this.#subscribe(runtime, this.#intake, toolSubject(name), TOOL_QUEUE_GROUP, (msg) =>
      handleCall(runtime, msg, name),
    );
  }

  #subscribe(
    runtime: NodeRuntime,
    into: Subscription[],
    subject: string,
    queue: string | undefined,
    handle: (msg: Msg) => void,
  ): void {
    const sub = runtime.nc.subscribe(subject, {
      ...(queue === undefined ? {} : { queue }),
      callback: (err, msg) => {
        if (err) runtime.logger.warn({ err, subject }, 'subscription error');
        else handle(msg);
      },
    });
    into.push(sub);
  }

  #refreshAdvert(): void {
    const advertiser = this.#advertiser;
    if (advertiser === undefined) return;
    this.#refreshing = this.#refreshing
      .then(() => advertiser.refresh())
      .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'could not refresh the registry advert'));
  }

  #withToolModels(capabilities: NodeCapabilities): NodeCapabilities {
    const fromTools = this.#catalog.models();
    if (fromTools.length === 0) return capabilities;
    return { ...capabilities, models: [...new Set([...(capabilities.models ?? []), ...fromTools])] };
  }

  #advert(): NodeAdvert {
    const o = this.#options;
    this.#advertisedVersion = this.#catalogVersion;
    return {
      version: 1,
      nodeId: o.nodeId,
      instanceId: this.#instanceId,
      startedAt: this.#startedAt,
      heartbeatAt: Date.now(),
      ttlMs: o.ttlMs,
      ...this.#catalog.advertFields(),
      capabilities: this.#withToolModels(this.#capabilities),
      load: this.#load.snapshot(this.#calls.size, o.maxConcurrency),
    };
  }
}
