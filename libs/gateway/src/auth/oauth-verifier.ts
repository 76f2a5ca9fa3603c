import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface OAuthVerifierOptions {
  /** The authorization server's issuer identifier (`iss`). */
  issuer: string;
  /** Where its signing keys are published (JWKS). */
  jwksUrl: string;
  /** The audience tokens must be issued for: this gateway's resource URL (RFC 8707). */
  audience: string;
}

export interface VerifiedToken {
  subject: string;
  scopes: string[];
}

/**
 * OAuth 2.1 resource-server side of the MCP authorization spec: JWT access tokens, signature checked
 * against the issuer's JWKS (fetched and cached by `jose`, refreshed on an unknown `kid`), `iss`,
 * `aud` (this gateway's resource URL) and `exp`/`nbf` checked. Anything else is not a valid token.
 */
export class OAuthVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: OAuthVerifierOptions) {
    this.#jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  }

  get audience(): string {
    return this.options.audience;
  }

  /** The token's subject and scopes, or undefined when it is not a valid token for this resource. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: 5,
      }));
    } catch {
      return undefined;
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) return undefined;
    return { subject: payload.sub, scopes: scopesOf(payload) };
  }
}

function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((scope): scope is string => typeof scope === 'string');
  return [];
}
