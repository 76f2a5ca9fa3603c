import type { KV, KvEntry } from '@nats-io/kv';
import { decodeNodeAdvert, silentLogger, type Logger } from '@easyremote/protocol';
import type {
  PromptDescriptor,
  ResourceDescriptor,
  ResourceTemplateDescriptor,
  ToolDescriptor,
} from '@easyremote/protocol';
import { toolsFingerprint, type NodeEntry, type ToolConflict, type ToolEntry, type ToolSet } from './tool-set.js';
import { ToolResolver } from './entitlement/tool-resolver.js';
import { MemoryEntitlement, type Entitlement } from './entitlement/entitlement.js';
import { buildCatalog, catalogFingerprint, type Catalog, type CatalogEntry } from './catalog-set.js';
import { RegistryWatch } from './registry-watch.js';
import { describeError } from './errors.js';
import { LivenessSweep } from './liveness-sweep.js';

export type RegistryChange = NodeChange | EntitlementChange;

/** Grants or approved descriptors changed the tool list (ADR 0011); no node came or went. */
export interface EntitlementChange {
  kind: 'entitlement-changed';
  toolsChanged: true;
  catalogChanged: false;
}

export interface NodeChange {
  kind: 'node-joined' | 'node-left' | 'node-updated';
  nodeId: string;
  /** True when the mesh-wide tool list may have changed (list_changed is due). */
  toolsChanged: boolean;
  /** True when the resources, resource templates or prompts may have changed. */
  catalogChanged: boolean;
  /**
   * Why a node left: `deleted` (it left gracefully and still finishes the calls it has), `expired`
   * (no heartbeat within its ttlMs: presumed dead) or `forgotten` (forgetNode: nobody answers).
   */
  reason?: 'deleted' | 'expired' | 'forgotten';
}

export type RegistryListener = (change: RegistryChange) => void;

export interface RegistryViewOptions {
  logger?: Logger;
  /** How often nodes whose heartbeat is older than their ttlMs are dropped. Default 250 ms. */
  sweepIntervalMs?: number;
  /** The local clock (tests pass a fake). Default Date.now. */
  now?: () => number;
  /** Longest wait for the initial replay before start() resolves anyway. Default 10 s. */
  readyTimeoutMs?: number;
  /** How long the sweep waits for the bucket to answer before it counts it as unavailable. Default 1000 ms. */
  probeTimeoutMs?: number;
  /**
   * Grants and approved descriptors (a GrantView on a gateway). Default: a MemoryEntitlement (open,
   * no grants, first seen wins for this process), so conflicting descriptors never merge anyway.
   */
  entitlement?: Entitlement;
  /**
   * Judges each advertised tool before it enters the view (a gateway refuses schemas it cannot run
   * safely). A refused tool is left out of its node's advert and logged; the node's other tools and
   * every other node are untouched. Returns the reason, or undefined to accept.
   */
  refuseTool?: (tool: ToolDescriptor) => string | undefined;
}

interface NodeState {
  revision: number;
  fingerprint: string;
  catalogFingerprint: string;
}

function hasCatalog(advert: NodeEntry['advert']): boolean {
  return (advert.resources?.length ?? 0) + (advert.resourceTemplates?.length ?? 0) + (advert.prompts?.length ?? 0) > 0;
}

/**
 * The gateway's in-memory registry: fed by one KV watch, never reading KV per request. Liveness is
 * heartbeat-based because on nats-server 2.9 an expired entry produces no watch event: a node whose
 * last heartbeat is older than its own ttlMs is swept; a DEL/PURGE drops it at once.
 */
export class RegistryView {
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #state = new Map<string, NodeState>();
  readonly #listeners = new Set<RegistryListener>();
  readonly #watch: RegistryWatch;
  readonly #sweep: LivenessSweep;
  #toolSet: ToolSet | undefined; // undefined = rebuild on next read
  readonly #resolver: ToolResolver;
  #catalog: Catalog | undefined; // likewise
  #revision = 0;
  readonly #refuseTool: RegistryViewOptions['refuseTool'];

  private constructor(kv: KV, options: RegistryViewOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#refuseTool = options.refuseTool;
    this.#now = options.now ?? Date.now;
    this.#watch = new RegistryWatch(kv, {
      logger: this.#logger,
      onEntry: (entry, initial) => this.#apply(entry, initial),
      readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
      restartDelayMs: 1_000,
    });
    this.#sweep = new LivenessSweep(
      {
        nodes: this.#nodes,
        appliedRevision: (nodeId) => this.#state.get(nodeId)?.revision ?? 0,
        apply: (entry) => this.#apply(entry, true),
        expire: (nodeId) => this.#remove(nodeId, 'expired'),
        repairWatch: () => this.#repairWatch(),
      },
      {
        kv,
        logger: this.#logger,
        now: this.#now,
        intervalMs: options.sweepIntervalMs ?? 250,
        probeTimeoutMs: options.probeTimeoutMs ?? 1_000,
      },
    );
    this.#resolver = new ToolResolver(options.entitlement ?? new MemoryEntitlement(), this.#logger, {
      nodes: () => this.#nodes,
      current: () => this.#toolSet,
      replace: (set) => {
        this.#toolSet = set;
      },
      changed: () => {
        this.#revision++;
        this.#emit({ kind: 'entitlement-changed', toolsChanged: true, catalogChanged: false });
      },
    });
  }

  /** Starts watching; resolves once the bucket's current content has been loaded. */
  static async start(kv: KV, options: RegistryViewOptions = {}): Promise<RegistryView> {
    const view = new RegistryView(kv, options);
    try {
      await view.#watch.open();
    } catch (error) {
      view.stop();
      throw error;
    }
    return view;
  }

  /** Increments whenever the set of nodes or the mesh-wide tool list changes. */
  get revision(): number {
    return this.#revision;
  }

  nodes(): ReadonlyMap<string, NodeEntry> {
    return this.#nodes;
  }

  node(nodeId: string): NodeEntry | undefined {
    return this.#nodes.get(nodeId);
  }

  /** All tools, sorted by name. Cached: rebuilt only after the tool set changed. */
  tools(): readonly ToolEntry[] {
    return this.#tools().list;
  }

  tool(name: string): ToolEntry | undefined {
    return this.#tools().byName.get(name);
  }

  /** Nodes that advertise a tool but get no calls for it (not granted, or a differing descriptor). */
  conflicts(): readonly ToolConflict[] {
    return this.#tools().conflicts;
  }

  /** Resources nodes serve, sorted by URI. Cached like tools(). */
  resources(): readonly CatalogEntry<ResourceDescriptor>[] {
    return this.#catalogIndex().resources.list;
  }

  resource(uri: string): CatalogEntry<ResourceDescriptor> | undefined {
    return this.#catalogIndex().resources.byKey.get(uri);
  }

  resourceTemplates(): readonly CatalogEntry<ResourceTemplateDescriptor>[] {
    return this.#catalogIndex().resourceTemplates.list;
  }

  prompts(): readonly CatalogEntry<PromptDescriptor>[] {
    return this.#catalogIndex().prompts.list;
  }

  prompt(name: string): CatalogEntry<PromptDescriptor> | undefined {
    return this.#catalogIndex().prompts.byKey.get(name);
  }

  onChange(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drops a node now (e.g. its subject had no responders). Its next heartbeat brings it back. */
  forgetNode(nodeId: string): void {
    if (this.#remove(nodeId, 'forgotten')) this.#logger.info({ nodeId }, 'node forgotten (no responders)');
  }

  /** Reopens the watch and replays the bucket, e.g. after a reconnect to another server. */
  async resync(): Promise<void> {
    await this.#watch.open();
  }

  stop(): void {
    this.#resolver.stop();
    this.#sweep.stop();
    this.#watch.stop();
    this.#listeners.clear();
  }

  #tools(): ToolSet {
    return (this.#toolSet ??= this.#resolver.resolve());
  }

  #catalogIndex(): Catalog {
    return (this.#catalog ??= buildCatalog(this.#nodes));
  }

  #apply(entry: KvEntry, initial: boolean): void {
    const nodeId = entry.key;
    if (entry.operation !== 'PUT') {
      if (this.#remove(nodeId, 'deleted')) this.#logger.info({ nodeId, operation: entry.operation }, 'node left');
      return;
    }
    const state = this.#state.get(nodeId);
    // A reopened watch replays entries already applied; they must not refresh lastSeen.
    if (state !== undefined && entry.revision <= state.revision) return;

    let advert;
    try {
      advert = decodeNodeAdvert(entry.value);
    } catch (error) {
      this.#logger.warn(
        { key: nodeId, revision: entry.revision, reason: describeError(error) },
        'skipping malformed registry entry',
      );
      return;
    }
    if (advert.nodeId !== nodeId) {
      this.#logger.warn({ key: nodeId, nodeId: advert.nodeId }, 'skipping registry entry stored under another node id');
      return;
    }

    const now = this.#now();
    // Replayed entries were written before we looked: their age is the server's timestamp, not now.
    const lastSeen = initial ? Math.min(entry.created.getTime(), now) : now;
    const fingerprint = toolsFingerprint(advert.tools);
    advert = this.#admitTools(nodeId, advert, state?.fingerprint === fingerprint);
    const otherFingerprint = catalogFingerprint(advert);
    this.#nodes.set(nodeId, { advert, lastSeen });
    this.#state.set(nodeId, { revision: entry.revision, fingerprint, catalogFingerprint: otherFingerprint });

    if (state === undefined) {
      const toolsChanged = advert.tools.length > 0;
      const catalogChanged = hasCatalog(advert);
      this.#changed(toolsChanged, catalogChanged);
      this.#logger.info({ nodeId, tools: advert.tools.length }, 'node joined');
      this.#emit({ kind: 'node-joined', nodeId, toolsChanged, catalogChanged });
    } else {
      const toolsChanged = state.fingerprint !== fingerprint;
      const catalogChanged = state.catalogFingerprint !== otherFingerprint;
      if (toolsChanged || catalogChanged) this.#changed(toolsChanged, catalogChanged);
      this.#emit({ kind: 'node-updated', nodeId, toolsChanged, catalogChanged });
    }
  }

  #remove(nodeId: string, reason: 'deleted' | 'expired' | 'forgotten'): boolean {
    const entry = this.#nodes.get(nodeId);
    if (entry === undefined) return false;
    this.#nodes.delete(nodeId);
    this.#state.delete(nodeId);
    const toolsChanged = entry.advert.tools.length > 0;
    const catalogChanged = hasCatalog(entry.advert);
    this.#changed(toolsChanged, catalogChanged);
    this.#emit({ kind: 'node-left', nodeId, toolsChanged, catalogChanged, reason });
    return true;
  }

  /** The advert without the tools `refuseTool` refuses; judged again only when the tools changed. */
  #admitTools(nodeId: string, advert: NodeEntry['advert'], unchanged: boolean): NodeEntry['advert'] {
    const refuse = this.#refuseTool;
    if (refuse === undefined) return advert;
    if (unchanged) {
      const previous = this.#nodes.get(nodeId);
      if (previous !== undefined) return { ...advert, tools: previous.advert.tools };
    }
    const admitted = advert.tools.filter((tool) => {
      let reason: string | undefined;
      try {
        reason = refuse(tool);
      } catch (error) {
        reason = `could not be checked: ${describeError(error)}`;
      }
      if (reason !== undefined) this.#logger.warn({ nodeId, tool: tool.name, reason }, 'refused an advertised tool');
      return reason === undefined;
    });
    return admitted.length === advert.tools.length ? advert : { ...advert, tools: admitted };
  }

  #changed(toolsChanged: boolean, catalogChanged: boolean): void {
    this.#revision++;
    if (toolsChanged) {
      this.#toolSet = undefined;
      this.#resolver.schedule();
    }
    if (catalogChanged) this.#catalog = undefined;
  }

  #repairWatch(): void {
    this.#watch
      .open()
      .catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'could not reopen the registry watch; it retries by itself'),
      );
  }

  #emit(change: RegistryChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.error({ err: error, change }, 'registry listener failed');
      }
    }
  }
}
