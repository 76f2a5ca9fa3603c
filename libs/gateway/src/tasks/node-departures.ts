import type { RegistryView } from '@easyremote/registry';

/**
 * A node that left gracefully still finishes what it runs for its stop's grace period (10 s by
 * default): its tasks are not failed for this long after it left.
 */
export const NODE_LEAVING_MS = 15_000;

/**
 * Nodes that left the mesh gracefully, as this replica saw them go: their running tasks and chunks
 * still end well, so a reader waits for them a while instead of failing them at once (a node that
 * died is failed as soon as its registry entry is gone).
 */
export class NodeDepartures {
  readonly #leaving = new Map<string, number>();

  constructor(registry: RegistryView) {
    registry.onChange((change) => {
      if (change.kind !== 'node-left' || change.reason !== 'deleted') return;
      const now = Date.now();
      for (const [nodeId, leftAt] of this.#leaving) if (now - leftAt > NODE_LEAVING_MS) this.#leaving.delete(nodeId);
      this.#leaving.set(change.nodeId, now);
    });
  }

  /** Whether `nodeId` left gracefully less than NODE_LEAVING_MS ago. */
  finishing(nodeId: string, now = Date.now()): boolean {
    const leftAt = this.#leaving.get(nodeId);
    return leftAt !== undefined && now - leftAt < NODE_LEAVING_MS;
  }
}
