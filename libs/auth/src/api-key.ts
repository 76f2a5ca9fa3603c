import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every API key starts with this, so secret scanners and humans can recognise one. */
export const API_KEY_PREFIX = 'erk_';
const ID = /^[0-9a-f]{16}$/;

export interface ParsedApiKey {
  id: string;
  secret: string;
}

/** A fresh key: `erk_<16 hex id>_<43 base64url chars = 256 random bits>`. */
export function generateApiKey(): { id: string; key: string; secretHash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${API_KEY_PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a presented key, or undefined when it does not have the key's shape. */
export function parseApiKey(token: string): ParsedApiKey | undefined {
  if (!token.startsWith(API_KEY_PREFIX) || token.length > 128) return undefined;
  const id = token.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + 16);
  if (!ID.test(id) || token[API_KEY_PREFIX.length + 16] !== '_') return undefined;
  const secret = token.slice(API_KEY_PREFIX.length + 17);
  return secret.length >= 32 ? { id, secret } : undefined;
}

/**
 * SHA-256 of the secret, hex. The secret is 256 random bits, so a slow password hash (scrypt, argon2)
 * adds no resistance to guessing — there is nothing to guess — while costing milliseconds on every
 * request; a fast digest still means a leaked bucket does not leak usable keys.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
