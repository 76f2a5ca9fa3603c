import type { Logger } from '@easyremote/protocol';
import type { NodeEntry, ToolConflict, ToolSet } from '../tool-set.js';
import { DigestCache } from './descriptor-digest.js';
import type { Entitlement } from './entitlement.js';
import { resolveToolSet } from './resolve-tools.js';

/** What the resolver needs from the registry view that owns it. */
export interface ResolverHost {
  nodes(): ReadonlyMap<string, NodeEntry>;
  /** The view's cached set, undefined while it is to be rebuilt. */
  current(): ToolSet | undefined;
  replace(set: ToolSet): void;
  /** The tool list changed because of grants or pins (not nodes): bump the revision and announce it. */
  changed(): void;
}

const HINTS: Readonly<Record<ToolConflict['reason'], string>> = {
  'not-granted': 'its grant does not name the tool (easyremote grants set)',
  'descriptor-differs':
    'its descriptor differs from the approved one (easyremote grants approve <tool> --node <id> to switch)',
  'security-downgrade': 'its descriptor has a lower security level than the approved one',
  unapproved:
    'nodes disagree on the descriptor and none is approved yet (easyremote grants approve <tool> --node <id>)',
};

function key(conflict: ToolConflict): string {
  return `${conflict.tool}\u0000${conflict.nodeId}\u0000${conflict.reason}\u0000${conflict.digest}`;
}

/**
 * Rebuilds a registry view's tool set under its entitlements: hands the approvals a rebuild found to
 * the Entitlement, logs each conflict when it appears and when it is gone, keeps the previous list
 * object when nothing in it changed (so caches keyed on it stay valid), and rebuilds when grants or
 * pins change. Node changes are resolved on the next turn even if nobody reads, so conflicts are
 * logged and pins requested without waiting for a request.
 */
export class ToolResolver {
  readonly #digests = new DigestCache();
  readonly #known = new Map<string, ToolConflict>();
  readonly #unsubscribe: () => void;
  #last: ToolSet | undefined;
  #scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly entitlement: Entitlement,
    private readonly logger: Logger,
    private readonly host: ResolverHost,
  ) {
    this.#unsubscribe = entitlement.onChange(() => this.#entitlementChanged());
  }

  resolve(): ToolSet {
    const { set, pinRequests } = resolveToolSet(this.host.nodes(), this.entitlement.state(), this.#digests);
    const last = this.#last;
    const kept: ToolSet =
      last !== undefined && last.signature === set.signature ? { ...set, list: last.list, byName: last.byName } : set;
    this.#last = kept;
    this.#report(kept.conflicts);
    if (pinRequests.length > 0) this.entitlement.requestPins(pinRequests);
    return kept;
  }

  /** Resolves on the next turn of the event loop unless someone reads the set first. */
  schedule(): void {
    if (this.#scheduled !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      if (this.host.current() === undefined) this.host.replace(this.resolve());
    });
    this.#scheduled.unref();
  }

  stop(): void {
    this.#unsubscribe();
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
  }

  #entitlementChanged(): void {
    const before = this.host.current() ?? this.#last;
    const next = this.resolve();
    this.host.replace(next);
    if (before === undefined || before.signature !== next.signature) this.host.changed();
  }

  #report(conflicts: readonly ToolConflict[]): void {
    const now = new Set<string>();
    for (const conflict of conflicts) {
      const id = key(conflict);
      now.add(id);
      if (this.#known.has(id)) continue;
      this.#known.set(id, conflict);
      this.logger.warn({ ...conflict, why: HINTS[conflict.reason] }, 'node gets no calls for a tool it advertises');
    }
    for (const [id, conflict] of this.#known) {
      if (now.has(id)) continue;
      this.#known.delete(id);
      this.logger.info({ tool: conflict.tool, nodeId: conflict.nodeId, reason: conflict.reason }, 'tool conflict over');
    }
  }
}
