import type { RegistryView } from '@easyremote/registry';
import { Gauge, type Registry } from 'prom-client';

/**
 * `easyremote_tool_conflicts{tool,node,reason} 1` for every node that advertises a tool and gets no
 * calls for it (ADR 0011): not granted, a descriptor that differs from the approved one, a lower
 * security level, or no approved descriptor yet. Read from the registry view at scrape time, so it is
 * exactly what the gateway routes by.
 */
export function registerConflictMetrics(registry: RegistryView, registers: Registry[]): void {
  new Gauge({
    name: 'easyremote_tool_conflicts',
    help: 'Nodes advertising a tool that get no calls for it, by tool, node and reason (not-granted, descriptor-differs, security-downgrade, unapproved).',
    labelNames: ['tool', 'node', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const conflict of registry.conflicts())
        this.set({ tool: conflict.tool, node: conflict.nodeId, reason: conflict.reason }, 1);
    },
  });
}
