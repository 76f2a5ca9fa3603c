import type { NodeAdvert, PlacementConstraints, PlacementStrategy } from '@easyremote/protocol';
import { placementMismatch, type RegistryView, type ToolEntry } from '@easyremote/registry';
import { GatewayErrorCode } from '../errors.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { LoadEstimate, LocalLoad } from './local-load.js';
import { orderNodes } from './placement-strategy.js';

export type PlacementPlan =
  /** Any node will do and the strategy is `queue`: send on `tools.<token>`, NATS picks. */
  | { kind: 'queue' }
  /** Matching nodes, best first. */
  | { kind: 'nodes'; nodes: readonly LoadEstimate[] }
  | { kind: 'none'; code: string; message: string };

/**
 * Chooses where a call runs: the tool's providers that satisfy its requirements and the call's
 * constraints, minus nodes whose circuit is open and nodes this call already tried, ordered by the
 * strategy (the call's, else the gateway's default).
 */
export class Placer {
  readonly #turns = new Map<string, number>();

  constructor(
    private readonly registry: RegistryView,
    private readonly load: LocalLoad,
    private readonly breakers: CircuitBreakers,
    private readonly defaultStrategy: PlacementStrategy,
    private readonly random: () => number = Math.random,
  ) {}

  /** The live nodes that may run this call, with why each other provider may not. */
  matching(
    entry: ToolEntry,
    args: Readonly<Record<string, unknown>>,
    constraints: PlacementConstraints | undefined,
  ): { nodes: NodeAdvert[]; mismatches: string[] } {
    const nodes: NodeAdvert[] = [];
    const mismatches: string[] = [];
    for (const nodeId of entry.providers) {
      const advert = this.registry.node(nodeId)?.advert;
      if (advert === undefined) continue;
      const problem = placementMismatch(advert, entry.descriptor.requirements, args, constraints);
      if (problem === undefined) nodes.push(advert);
      else mismatches.push(`${nodeId}: ${problem}`);
    }
    return { nodes, mismatches };
  }

  plan(
    entry: ToolEntry,
    args: Readonly<Record<string, unknown>>,
    constraints: PlacementConstraints | undefined,
    exclude: ReadonlySet<string>,
  ): PlacementPlan {
    const strategy = constraints?.strategy ?? this.defaultStrategy;
    // A restricted tool (some advertising node is not a provider, or grants are required) is never sent
    // to the queue group: any subscriber of tools.<token> could take the call (ADR 0011).
    const anyNode =
      entry.restricted !== true &&
      entry.descriptor.requirements === undefined &&
      constraints?.nodeId === undefined &&
      constraints?.labels === undefined &&
      constraints?.requirements === undefined;
    if (strategy === 'queue' && anyNode && exclude.size === 0) return { kind: 'queue' };
    const { nodes, mismatches } = this.matching(entry, args, constraints);
    if (nodes.length === 0) {
      const wanted = constraints?.nodeId === undefined ? '' : ` (requested node ${constraints.nodeId})`;
      const why = mismatches.length === 0 ? '' : `: ${mismatches.slice(0, 5).join('; ')}`;
      return {
        kind: 'none',
        code: GatewayErrorCode.NoMatchingNode,
        message: `No live node can run tool ${entry.name}${wanted}${why}`,
      };
    }
    const open = nodes.filter((advert) => !this.breakers.allows(advert.nodeId));
    const usable = nodes.filter((advert) => this.breakers.allows(advert.nodeId) && !exclude.has(advert.nodeId));
    if (usable.length === 0) {
      if (exclude.size === 0) {
        // Every matching node has an open circuit.
        const retryAt = Math.min(...open.map((advert) => this.breakers.retryAt(advert.nodeId) ?? Date.now()));
        return {
          kind: 'none',
          code: GatewayErrorCode.CircuitOpen,
          message: `Every node serving tool ${entry.name} failed repeatedly and is skipped for now (next try in ${Math.max(0, retryAt - Date.now())} ms)`,
        };
      }
      return { kind: 'none', code: GatewayErrorCode.NoNode, message: `No other node can run tool ${entry.name}` };
    }
    const turn = this.#turns.get(entry.name) ?? 0;
    this.#turns.set(entry.name, turn + 1);
    const ordering = strategy === 'queue' ? 'least-loaded' : strategy;
    return {
      kind: 'nodes',
      nodes: orderNodes(
        ordering,
        usable.map((advert) => this.load.estimate(advert)),
        { turn, random: this.random },
      ),
    };
  }
}
