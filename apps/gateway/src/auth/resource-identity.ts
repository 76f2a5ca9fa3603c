/**
 * This gateway's public identity as an OAuth protected resource. The base URL is configured
 * (EASYREMOTE_PUBLIC_URL) or, when not, learned once the gateway listens.
 */
export class ResourceIdentity {
  #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Set by start.ts after listening when no public URL was configured. */
  learn(baseUrl: string): void {
    if (this.#baseUrl === '') this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The resource tokens must be issued for (`aud`): the MCP endpoint. */
  get resource(): string {
    return `${this.#baseUrl}/mcp`;
  }

  get metadataUrl(): string {
    return `${this.#baseUrl}/.well-known/oauth-protected-resource`;
  }
}
