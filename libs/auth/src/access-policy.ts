import { ResourceReadScopes, scopeGlob as glob } from '@easyremote/protocol';

/** Scopes the gateway understands. Patterned forms take a `*` glob after the last colon. */
export const Scope = {
  /** See the tool list (filtered to the tools the caller may call). */
  ToolsList: 'tools:list',
  /** Call any tool below security level `high`; `tools:call:<glob>` narrows this to matching names. */
  ToolsCall: 'tools:call',
  /** Additionally call tools marked `securityLevel: "high"` among those otherwise granted. */
  ToolsHigh: 'tools:high',
  /** List and read resources; `resources:read:<glob>` narrows this to matching URIs. */
  ResourcesRead: 'resources:read',
  /** List and get prompts (and completions); `prompts:get:<glob>` narrows to matching names. */
  PromptsGet: 'prompts:get',
  /** The mesh-wide views: dashboard state and the usage report (every principal's calls). */
  AnalyticsRead: 'analytics:read',
  /** Prometheus `/metrics` when it is served on the main listener. */
  MetricsRead: 'metrics:read',
  /** Everything, including admin operations (audit queries, key management). */
  Admin: 'admin',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Scopes a key gets when `keys create` names none. */
export const DEFAULT_KEY_SCOPES: readonly string[] = [
  Scope.ToolsList,
  Scope.ToolsCall,
  Scope.ResourcesRead,
  Scope.PromptsGet,
];

/** What the policy knows about a tool: its name and the seed's metadata fields. */
export interface ToolFacts {
  name: string;
  category?: string | undefined;
  securityLevel?: string | undefined;
}

/**
 * One decision for listing and calling: the caller sees exactly the tools (resources, prompts) it may
 * use. Built once per principal (gateways cache it with the principal) from its scopes:
 * `tools:call`, `tools:call:<name glob>`, `category:<glob>`, `tools:high`, `resources:read[:<uri glob>]`,
 * `prompts:get[:<name glob>]`, `tools:list`, `admin`.
 */
export class AccessPolicy {
  readonly admin: boolean;
  /** The scopes it was built from, as given: they travel with each call to the node (`CallerIdentity`). */
  readonly scopes: readonly string[];
  readonly #scopes: ReadonlySet<string>;
  readonly #toolNames: RegExp[] = [];
  readonly #categories: RegExp[] = [];
  /** Shared with compute nodes (`ctx.mayRead`), so both decide on the same canonical URI. */
  readonly #resources: ResourceReadScopes;
  readonly #prompts: RegExp[] = [];
  readonly #high: boolean;

  constructor(scopes: readonly string[]) {
    this.scopes = Object.freeze([...scopes]);
    this.#scopes = new Set(scopes);
    this.#resources = new ResourceReadScopes(scopes);
    this.admin = this.#scopes.has(Scope.Admin);
    this.#high = this.admin || this.#scopes.has(Scope.ToolsHigh);
    for (const scope of scopes) {
      if (scope === Scope.ToolsCall) this.#toolNames.push(glob('*'));
      else if (scope.startsWith('tools:call:')) this.#toolNames.push(glob(scope.slice('tools:call:'.length)));
      else if (scope.startsWith('category:')) this.#categories.push(glob(scope.slice('category:'.length)));
      else if (scope === Scope.PromptsGet) this.#prompts.push(glob('*'));
      else if (scope.startsWith('prompts:get:')) this.#prompts.push(glob(scope.slice('prompts:get:'.length)));
    }
  }

  has(scope: string): boolean {
    return this.admin || this.#scopes.has(scope);
  }

  get mayListTools(): boolean {
    return this.has(Scope.ToolsList);
  }

  get mayUseResources(): boolean {
    return this.#resources.any;
  }

  get mayUsePrompts(): boolean {
    return this.admin || this.#prompts.length > 0;
  }

  mayCallTool(tool: ToolFacts): boolean {
    if (this.admin) return true;
    if (tool.securityLevel === 'high' && !this.#high) return false;
    if (this.#toolNames.some((pattern) => pattern.test(tool.name))) return true;
    const category = tool.category;
    return category !== undefined && this.#categories.some((pattern) => pattern.test(category));
  }

  /** `easyremote:` URIs are judged in their canonical spelling (`EASYREMOTE://DATA/%70rivate-1` is `easyremote://data/private-1`). */
  mayReadResource(uri: string): boolean {
    return this.#resources.mayRead(uri);
  }

  mayGetPrompt(name: string): boolean {
    return this.admin || this.#prompts.some((pattern) => pattern.test(name));
  }
}
