import { EasyRemoteError, hasErrorCode } from '@easyremote/protocol';

/** Stable codes of the failures this package raises. Never reuse or rename a code. */
export const MeshErrorCode = {
  /** The initial connection to NATS failed after every startup attempt. */
  ConnectFailed: 'MESH_ERR_CONNECT_FAILED',
  /** No reply arrived before the request's timeout. */
  Timeout: 'MESH_ERR_TIMEOUT',
  /** NATS reported that nobody subscribes to the subject (a 503 status reply). */
  NoResponders: 'MESH_ERR_NO_RESPONDERS',
  /** The message would exceed the server's max_payload; it was never sent. */
  PayloadTooLarge: 'MESH_ERR_PAYLOAD_TOO_LARGE',
  /** The caller's AbortSignal fired before the reply arrived. */
  Cancelled: 'MESH_ERR_CANCELLED',
  /** The RPC client or its connection was closed. */
  Closed: 'MESH_ERR_CLOSED',
  /** NATS refused to publish the request for another reason (see `cause`). */
  PublishFailed: 'MESH_ERR_PUBLISH_FAILED',
  /** An offloaded body (`Er-Payload`) is no longer in the payload object store (expired or read already). */
  PayloadMissing: 'MESH_ERR_PAYLOAD_MISSING',
  /** The payload object store could not be created, written or read (JetStream down or disabled). */
  PayloadStoreUnavailable: 'MESH_ERR_PAYLOAD_STORE_UNAVAILABLE',
  /** The NATS_* connection settings are inconsistent (a half-set pair, a file that does not exist). */
  Config: 'MESH_ERR_CONFIG',
  /** A command was given no server (no --nats, no NATS_URL) and found no running local mesh. */
  NoMesh: 'MESH_ERR_NO_MESH',
} as const;
export type MeshErrorCode = (typeof MeshErrorCode)[keyof typeof MeshErrorCode];

export class MeshError extends EasyRemoteError {
  declare readonly code: MeshErrorCode;

  constructor(code: MeshErrorCode, message: string, options?: { cause?: unknown; data?: unknown }) {
    super(code, message, options);
    this.name = 'MeshError';
  }
}

const meshCodes: ReadonlySet<string> = new Set(Object.values(MeshErrorCode));

/** True when `value` carries a mesh error code (the given one, or any). Checks the code, not the class. */
export function isMeshError(value: unknown, code?: MeshErrorCode): value is MeshError {
  if (code !== undefined) return hasErrorCode(value, code);
  return typeof value === 'object' && value !== null && meshCodes.has((value as { code?: unknown }).code as string);
}
