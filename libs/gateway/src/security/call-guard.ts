import { AccessPolicy, type RateDecision, type RateLimiter, type ToolFacts } from '@easyremote/auth';
import type { Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';

/** Everything allowed: the policy of every request when authentication is off. */
export const OPEN_ACCESS = new AccessPolicy(['admin']);

/**
 * Authorisation and rate limiting for one tool call, shared by MCP and REST so both doors apply the
 * same decision: may this principal call this tool, and is it within its limits across all replicas?
 */
export class CallGuard {
  constructor(
    private readonly deps: {
      registry: RegistryView;
      perPrincipal?: RateLimiter | undefined;
      perTool?: RateLimiter | undefined;
      logger: Logger;
    },
  ) {}

  facts(name: string): ToolFacts {
    const metadata = this.deps.registry.tool(name)?.descriptor.metadata as
      { category?: string; securityLevel?: string } | undefined;
    return { name, category: metadata?.category, securityLevel: metadata?.securityLevel };
  }

  mayCall(access: AccessPolicy | undefined, name: string): boolean {
    // No policy means the route's access hook did not run: nothing is allowed.
    return access?.mayCallTool(this.facts(name)) ?? false;
  }

  readonly #rateLimited = new Set<(principal: string, tool: string) => void>();

  /** Observes every call refused by a rate limit (metrics: `easyremote_rate_limited_total`). */
  onRateLimited(listener: (principal: string, tool: string) => void): () => void {
    this.#rateLimited.add(listener);
    return () => this.#rateLimited.delete(listener);
  }

  /** Counts the call against the principal's and the principal-on-tool limits. */
  async rate(principal: string | undefined, tool: string): Promise<RateDecision> {
    const who = principal ?? 'anonymous';
    const decision = await this.#take(who, tool);
    if (!decision.ok) for (const listener of this.#rateLimited) listener(who, tool);
    return decision;
  }

  async #take(who: string, tool: string): Promise<RateDecision> {
    try {
      if (this.deps.perPrincipal) {
        const decision = await this.deps.perPrincipal.take(who);
        if (!decision.ok) return decision;
      }
      if (this.deps.perTool) return await this.deps.perTool.take(`${who}\u0000${tool}`);
    } catch (error) {
      // The limit store is unreachable: the call is allowed (the mesh is down for it anyway) and logged.
      this.deps.logger.warn({ err: error }, 'rate limit check failed; allowing the call');
    }
    return { ok: true };
  }

  get limited(): boolean {
    return this.deps.perPrincipal !== undefined || this.deps.perTool !== undefined;
  }
}
