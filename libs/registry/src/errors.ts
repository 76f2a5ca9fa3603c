import { EasyRemoteError } from '@easyremote/protocol';

/** Stable codes of the failures this package raises. Never reuse or rename a code. */
export const RegistryErrorCode = {
  /** The registry bucket could not be created or bound (JetStream off, no permission, bad domain...). */
  OpenFailed: 'REG_ERR_OPEN_FAILED',
  /** A node's advert could not be written to the registry. */
  AdvertiseFailed: 'REG_ERR_ADVERTISE_FAILED',
  /** The registry watch could not be started. */
  WatchFailed: 'REG_ERR_WATCH_FAILED',
  /** A grant names an invalid node id or tool glob, or an approval names a tool or node that cannot be approved. */
  InvalidGrant: 'REG_ERR_INVALID_GRANT',
  /** `grants revoke` / `grants unpin` named a node or tool the grants bucket holds nothing for. */
  GrantNotFound: 'REG_ERR_GRANT_NOT_FOUND',
  /** The grants bucket could not be created, bound, read or written. */
  GrantsUnavailable: 'REG_ERR_GRANTS_UNAVAILABLE',
} as const;
export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

export class RegistryError extends EasyRemoteError {
  declare readonly code: RegistryErrorCode;

  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RegistryError';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
