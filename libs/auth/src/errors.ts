import { EasyRemoteError } from '@easyremote/protocol';

/** Stable codes of the failures this package raises. Never reuse or rename a code. */
export const AuthErrorCode = {
  /** No credentials were presented (no `Authorization: Bearer ...`). */
  Unauthenticated: 'AUTH_ERR_UNAUTHENTICATED',
  /** The credentials are malformed, unknown, revoked, expired or meant for another audience. */
  InvalidToken: 'AUTH_ERR_INVALID_TOKEN',
  /** The caller is authenticated but lacks the scope the operation needs. */
  InsufficientScope: 'AUTH_ERR_INSUFFICIENT_SCOPE',
  /** The caller (or the caller on this tool) exceeded its rate limit. */
  RateLimited: 'AUTH_ERR_RATE_LIMITED',
  /** `keys revoke` named a key id the store does not hold. */
  KeyNotFound: 'AUTH_ERR_KEY_NOT_FOUND',
  /** The key or audit store could not be opened or written (JetStream off, no permission...). */
  StoreFailed: 'AUTH_ERR_STORE_FAILED',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export class AuthError extends EasyRemoteError {
  declare readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AuthError';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
