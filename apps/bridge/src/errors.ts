/** The bridge's error catalogue (docs/errors.md). A code is never renamed or reused. */
export const BridgeErrorCode = {
  /** `EASYREMOTE_GATEWAY` / `EASYREMOTE_API_KEY` are missing or malformed. */
  Config: 'BRIDGE_ERR_CONFIG',
  /** The gateway answered 401 or 403: the key is missing, unknown, revoked or lacks a scope. */
  GatewayRefused: 'BRIDGE_ERR_GATEWAY_REFUSED',
  /** No HTTP answer at all: connection refused, DNS failure, reset, TLS failure. */
  GatewayUnreachable: 'BRIDGE_ERR_GATEWAY_UNREACHABLE',
} as const;
export type BridgeErrorCode = (typeof BridgeErrorCode)[keyof typeof BridgeErrorCode];

/** A failure with a stable code; `url` is the gateway endpoint it concerns, when there is one. */
export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly url: string | undefined;
  readonly status: number | undefined;

  constructor(
    code: BridgeErrorCode,
    message: string,
    options: { url?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.url = options.url;
    this.status = options.status;
  }
}

/** The BridgeError somewhere in an error's `cause` chain: the SDK may wrap what our fetch threw. */
export function findBridgeError(error: unknown): BridgeError | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (current instanceof BridgeError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
