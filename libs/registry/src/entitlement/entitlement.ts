import type { GrantMode, NodeGrant, PinSource, ToolPin } from './grant-records.js';
import { ToolGlobs } from './tool-glob.js';
import type { ToolDescriptor } from '@easyremote/protocol';

/** A grant with its globs compiled. */
export interface CompiledGrant {
  readonly grant: NodeGrant;
  readonly globs: ToolGlobs;
}

/** Everything tool resolution needs to know about entitlements, at one moment. Immutable. */
export interface EntitlementState {
  readonly mode: GrantMode;
  /** By node id. */
  readonly grants: ReadonlyMap<string, CompiledGrant>;
  /** By tool name. */
  readonly pins: ReadonlyMap<string, ToolPin>;
}

/** A resolution found a descriptor that should become (or replace) a tool's approved one. */
export interface PinRequest {
  readonly tool: string;
  readonly digest: string;
  readonly descriptor: ToolDescriptor;
  readonly nodeId: string;
  readonly by: Exclude<PinSource, 'operator'>;
  /** The pin being replaced (succession), so the write can be conditional on it. */
  readonly replaces?: ToolPin;
}

/**
 * Where a registry view takes grants and approved descriptors from: the KV-backed GrantView on a
 * gateway, a MemoryEntitlement elsewhere. `requestPins` may apply asynchronously; every change is
 * announced through `onChange`.
 */
export interface Entitlement {
  state(): EntitlementState;
  requestPins(requests: readonly PinRequest[]): void;
  onChange(listener: () => void): () => void;
}

export function compileGrants(grants: Iterable<NodeGrant>): Map<string, CompiledGrant> {
  const compiled = new Map<string, CompiledGrant>();
  for (const grant of grants) compiled.set(grant.nodeId, { grant, globs: new ToolGlobs(grant.tools) });
  return compiled;
}

/**
 * Entitlements held in memory: grants set by the caller, pins applied as soon as they are requested
 * (first seen wins for this process). The default of a RegistryView without a GrantView, so the
 * conflict and downgrade rules hold even where nothing is stored.
 */
export class MemoryEntitlement implements Entitlement {
  readonly #listeners = new Set<() => void>();
  readonly #grants: Map<string, NodeGrant>;
  readonly #pins = new Map<string, ToolPin>();
  #mode: GrantMode;
  #state: EntitlementState | undefined;

  constructor(options: { mode?: GrantMode; grants?: Iterable<NodeGrant> } = {}) {
    this.#mode = options.mode ?? 'open';
    this.#grants = new Map([...(options.grants ?? [])].map((grant) => [grant.nodeId, grant]));
  }

  state(): EntitlementState {
    return (this.#state ??= {
      mode: this.#mode,
      grants: compileGrants(this.#grants.values()),
      pins: new Map(this.#pins),
    });
  }

  requestPins(requests: readonly PinRequest[]): void {
    let changed = false;
    for (const request of requests) {
      const current = this.#pins.get(request.tool);
      if (request.by === 'first-seen' ? current !== undefined : current?.digest !== request.replaces?.digest) continue;
      const { tool, digest, descriptor, nodeId, by } = request;
      this.#pins.set(tool, { tool, digest, descriptor, nodeId, by, pinnedAt: new Date().toISOString() });
      changed = true;
    }
    if (changed) this.#changed();
  }

  setMode(mode: GrantMode): void {
    this.#mode = mode;
    this.#changed();
  }

  setGrant(nodeId: string, tools: readonly string[]): void {
    this.#grants.set(nodeId, { nodeId, tools: [...tools], updatedAt: new Date().toISOString() });
    this.#changed();
  }

  revokeGrant(nodeId: string): void {
    if (this.#grants.delete(nodeId)) this.#changed();
  }

  /** An operator's approval: `descriptor` becomes the tool's approved one whatever came before. */
  approve(pin: Omit<ToolPin, 'by' | 'pinnedAt'>): void {
    this.#pins.set(pin.tool, { ...pin, by: 'operator', pinnedAt: new Date().toISOString() });
    this.#changed();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    this.#state = undefined;
    // Announced after the current resolution finished, which is usually what requested the pin.
    queueMicrotask(() => {
      for (const listener of this.#listeners) listener();
    });
  }
}
