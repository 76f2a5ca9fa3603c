import type { RegistryView } from '@easyremote/registry';
import type { LocalLoad } from './local-load.js';

/**
 * The calls this gateway has sent to each node. When a node leaves the registry (graceful leave,
 * missed heartbeats, no responders) its calls are aborted at once with `NodeGone`, so a killed node
 * costs a heartbeat TTL rather than the call's whole deadline, and the caller can retry elsewhere.
 * Heartbeats also mark the gateway's in-flight baseline for load estimates.
 */
export class NodeAttempts {
  readonly #byNode = new Map<string, Set<AbortController>>();
  readonly #stop: () => void;

  constructor(registry: RegistryView, load: LocalLoad) {
    this.#stop = registry.onChange((change) => {
      if (change.kind === 'node-left') {
        load.forget(change.nodeId);
        // A node that left gracefully still finishes the calls it has; only a presumed-dead one loses them.
        if (change.reason === 'deleted') return;
        for (const controller of this.#byNode.get(change.nodeId) ?? []) controller.abort(new NodeGone(change.nodeId));
        this.#byNode.delete(change.nodeId);
      } else if (change.kind !== 'entitlement-changed') {
        load.beat(change.nodeId);
      }
    });
  }

  /** An AbortController for one attempt on `nodeId`, aborted when `parent` aborts or the node leaves. */
  open(nodeId: string, parent: AbortSignal | undefined): { signal: AbortSignal; close: () => void } {
    const controller = new AbortController();
    const forward = (): void => controller.abort(parent?.reason);
    if (parent?.aborted) forward();
    else parent?.addEventListener('abort', forward, { once: true });
    let set = this.#byNode.get(nodeId);
    if (set === undefined) this.#byNode.set(nodeId, (set = new Set()));
    set.add(controller);
    return {
      signal: controller.signal,
      close: () => {
        parent?.removeEventListener('abort', forward);
        const current = this.#byNode.get(nodeId);
        current?.delete(controller);
        if (current?.size === 0) this.#byNode.delete(nodeId);
      },
    };
  }

  stop(): void {
    this.#stop();
  }
}

/** Abort reason of attempts on a node that left the mesh. */
export class NodeGone extends Error {
  constructor(readonly nodeId: string) {
    super(`node ${nodeId} left the mesh while running the call`);
    this.name = 'NodeGone';
  }
}
