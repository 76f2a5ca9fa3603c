import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/** What a 2025-era session carries from `initialize` to every later request, on any replica. */
export interface SessionState {
  /** Random id of the session: the key of its mutable preferences and of its requests across replicas. */
  sid: string;
  /** Negotiated protocol version. */
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string } & Record<string, unknown>;
  /** Issued at, epoch ms. */
  issuedAt: number;
  /**
   * The principal that opened the session (undefined when authentication is off). Another credential
   * presenting the id is told the session does not exist, exactly as for an unknown id.
   */
  principal?: string | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Opened session ids kept in memory, so a busy session is decrypted once, not on every request. */
const OPENED_CACHE_SIZE = 10_000;

/**
 * Seals and opens self-contained session ids: AES-256-GCM over the session state, with a key derived
 * once (HKDF) from the replicas' shared secret. Any replica can open any replica's id, nobody else can
 * read or forge one, and no replica keeps per-session memory.
 */
export class SessionTokens {
  // A KeyObject made once: given raw bytes, Node rebuilds a key on every cipher (16 µs vs 3 µs per open).
  readonly #key: KeyObject;
  readonly #maxAgeMs: number;
  readonly #opened = new Map<string, SessionState>();

  constructor(secret: Uint8Array, maxAgeMs: number) {
    this.#key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'easyremote', 'mcp-session-v1', 32)));
    this.#maxAgeMs = maxAgeMs;
  }

  seal(state: SessionState): string {
    return this.sealValue({ session: state });
  }

  /** The session's state, or undefined when the id is malformed, forged or expired. */
  open(token: string, now = Date.now()): SessionState | undefined {
    let state = this.#opened.get(token);
    if (state === undefined) {
      state = this.openValue<{ session?: SessionState }>(token)?.session;
      if (!state || typeof state.issuedAt !== 'number') return undefined;
      // A plain bounded map: when full, start over (ids are re-opened on demand, nothing is lost).
      if (this.#opened.size >= OPENED_CACHE_SIZE) this.#opened.clear();
      this.#opened.set(token, state);
    }
    // Expiry is checked on every use, cached or not.
    return now - state.issuedAt > this.#maxAgeMs ? undefined : state;
  }

  /**
   * Seals any JSON value the same way (used for 2026-era `requestState`, which travels through the
   * client and must come back unaltered). Values are wrapped by purpose, so a session id can never be
   * replayed as request state or the other way round.
   */
  sealValue(value: object): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  openValue<T>(token: string): T | undefined {
    if (token.length > 8192) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}
