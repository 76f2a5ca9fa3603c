import { AccessPolicy, type KeyView } from '@easyremote/auth';
import type { OAuthVerifier } from './oauth-verifier.js';

export type Authentication =
  | { ok: true; principal: string; access: AccessPolicy }
  | { ok: false; reason: 'missing' | 'invalid'; description: string };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

type Authenticated = Extract<Authentication, { ok: true }>;

/** Distinct verified API keys remembered; past it the memory starts over (a flood of keys costs a hash each). */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Turns an `Authorization` header into a principal and its access policy: API keys (`erk_...`,
 * checked against the in-memory key view) or OAuth JWT access tokens (checked against the issuer's
 * JWKS). Policies are cached per distinct scope set. A verified API key (at most 128 characters,
 * parseApiKey) is remembered with its answer until the key view changes (any put, revoke or
 * delete), so a caller's repeat requests cost one map lookup instead of a SHA-256 and a policy
 * lookup; only keys that verified are remembered, so a wrong key is never answered from memory.
 */
export class Authenticator {
  readonly #policies = new Map<string, AccessPolicy>();
  readonly #verifiedKeys = new Map<string, { revision: number; result: Authenticated }>();

  constructor(private readonly sources: { keys?: KeyView | undefined; oauth?: OAuthVerifier | undefined }) {}

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined || authorization === '')
      return { ok: false, reason: 'missing', description: 'Authorization: Bearer credentials are required' };
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined)
      return { ok: false, reason: 'invalid', description: 'the Authorization header must be "Bearer <token>"' };
    if (token.startsWith('erk_')) {
      const keys = this.sources.keys;
      const revision = keys?.revision;
      // Keyed by the token, not the header: spellings of one header ("bearer", padding) are one entry.
      const known = this.#verifiedKeys.get(token);
      if (known !== undefined && known.revision === revision) return known.result;
      const key = keys?.verify(token);
      if (!key || revision === undefined)
        return { ok: false, reason: 'invalid', description: 'the API key is unknown or revoked' };
      const result: Authenticated = Object.freeze({
        ok: true,
        principal: `key:${key.id}`,
        access: this.#policy(key.scopes),
      });
      if (this.#verifiedKeys.size >= MAX_REMEMBERED_KEYS) this.#verifiedKeys.clear();
      this.#verifiedKeys.set(token, { revision, result });
      return result;
    }
    if (this.sources.oauth) {
      const verified = await this.sources.oauth.verify(token);
      if (verified) return { ok: true, principal: `oauth:${verified.subject}`, access: this.#policy(verified.scopes) };
    }
    return {
      ok: false,
      reason: 'invalid',
      description: 'the access token is malformed, expired, or not issued for this resource',
    };
  }

  #policy(scopes: readonly string[]): AccessPolicy {
    const cacheKey = [...scopes].sort().join(' ');
    let policy = this.#policies.get(cacheKey);
    if (!policy) {
      policy = new AccessPolicy(scopes);
      if (this.#policies.size > 10_000) this.#policies.clear();
      this.#policies.set(cacheKey, policy);
    }
    return policy;
  }
}
