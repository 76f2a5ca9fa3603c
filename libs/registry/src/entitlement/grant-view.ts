import type { KV, KvEntry } from '@nats-io/kv';
import { silentLogger, type Logger } from '@easyremote/protocol';
import { RegistryWatch } from '../registry-watch.js';
import { compileGrants, type Entitlement, type EntitlementState, type PinRequest } from './entitlement.js';
import {
  decodeGrant,
  decodePin,
  parseGrantsKey,
  pinKey,
  type GrantMode,
  type NodeGrant,
  type ToolPin,
} from './grant-records.js';

export interface GrantViewOptions {
  mode: GrantMode;
  logger?: Logger;
  /** Longest wait for the initial replay. Default 10 s. */
  readyTimeoutMs?: number;
}

function text(entry: KvEntry): unknown {
  try {
    return entry.json<unknown>();
  } catch {
    return undefined;
  }
}

/**
 * A gateway's in-memory copy of the grants bucket, kept by one KV watch (never read per request, like
 * the registry and key views). Approvals found by the gateway's resolution are written here: a first
 * pin with `create` (one gateway wins, the others see its pin through the watch) and a succession with
 * an update conditional on the revision of the pin it replaces.
 */
export class GrantView implements Entitlement {
  readonly mode: GrantMode;
  readonly #kv: KV;
  readonly #logger: Logger;
  readonly #watch: RegistryWatch;
  readonly #grants = new Map<string, NodeGrant>();
  readonly #pins = new Map<string, { pin: ToolPin; revision: number }>();
  readonly #listeners = new Set<() => void>();
  /** Tools whose pin write is on its way, so every rebuild meanwhile does not write again. */
  readonly #writing = new Set<string>();
  #state: EntitlementState | undefined;
  #stopped = false;
  #notify: NodeJS.Immediate | undefined;

  private constructor(kv: KV, options: GrantViewOptions) {
    this.mode = options.mode;
    this.#kv = kv;
    this.#logger = options.logger ?? silentLogger;
    this.#watch = new RegistryWatch(kv, {
      logger: this.#logger,
      onEntry: (entry) => this.#apply(entry),
      readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
      restartDelayMs: 1_000,
    });
  }

  /** Starts watching; resolves once the bucket's current content is loaded. */
  static async start(kv: KV, options: GrantViewOptions): Promise<GrantView> {
    const view = new GrantView(kv, options);
    try {
      await view.#watch.open();
    } catch (error) {
      view.stop();
      throw error;
    }
    return view;
  }

  state(): EntitlementState {
    return (this.#state ??= {
      mode: this.mode,
      grants: compileGrants(this.#grants.values()),
      pins: new Map([...this.#pins].map(([tool, { pin }]) => [tool, pin])),
    });
  }

  grants(): NodeGrant[] {
    return [...this.#grants.values()];
  }

  pins(): ToolPin[] {
    return [...this.#pins.values()].map(({ pin }) => pin);
  }

  requestPins(requests: readonly PinRequest[]): void {
    for (const request of requests) {
      if (this.#writing.has(request.tool) || this.#stopped) continue;
      this.#writing.add(request.tool);
      void this.#write(request).finally(() => this.#writing.delete(request.tool));
    }
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#notify !== undefined) clearImmediate(this.#notify);
    this.#watch.stop();
    this.#listeners.clear();
  }

  async #write(request: PinRequest): Promise<void> {
    const { tool, digest, descriptor, nodeId, by } = request;
    const value = JSON.stringify({
      tool,
      digest,
      descriptor,
      nodeId,
      by,
      pinnedAt: new Date().toISOString(),
    } satisfies ToolPin);
    try {
      if (by === 'first-seen') {
        await this.#kv.create(pinKey(tool), value);
      } else {
        const current = this.#pins.get(tool);
        if (current === undefined || current.pin.digest !== request.replaces?.digest) return;
        await this.#kv.update(pinKey(tool), value, current.revision);
      }
      this.#logger.info({ tool, digest, nodeId, by }, 'approved a tool descriptor');
    } catch (error) {
      // Another gateway won the race (create of an existing key, update of a newer revision): its pin
      // arrives through the watch. Anything else is retried at the next rebuild.
      this.#logger.debug({ err: error, tool }, 'pin not written');
    }
  }

  #apply(entry: KvEntry): void {
    const parsed = parseGrantsKey(entry.key);
    if (parsed === undefined) {
      this.#logger.warn({ key: entry.key }, 'ignoring an unknown key in the grants bucket');
      return;
    }
    const removed = entry.operation !== 'PUT' || entry.value.length === 0;
    if (parsed.kind === 'grant') {
      const grant = removed ? undefined : decodeGrant(parsed.nodeId, text(entry));
      if (!removed && grant === undefined)
        this.#logger.warn({ key: entry.key }, 'ignoring a malformed grant (the node keeps no grant)');
      if (grant === undefined) this.#grants.delete(parsed.nodeId);
      else this.#grants.set(parsed.nodeId, grant);
    } else {
      const pin = removed ? undefined : decodePin(parsed.tool, text(entry));
      if (!removed && pin === undefined)
        this.#logger.warn({ key: entry.key }, 'ignoring a malformed pin (the tool has no approved descriptor)');
      if (pin === undefined) this.#pins.delete(parsed.tool);
      else this.#pins.set(parsed.tool, { pin, revision: entry.revision });
    }
    this.#state = undefined;
    this.#announce();
  }

  /** Once per turn of the event loop: a burst of pins (a node with many new tools) costs one rebuild. */
  #announce(): void {
    if (this.#notify !== undefined) return;
    this.#notify = setImmediate(() => {
      this.#notify = undefined;
      for (const listener of this.#listeners) {
        try {
          listener();
        } catch (error) {
          this.#logger.error({ err: error }, 'grants listener failed');
        }
      }
    });
  }
}
