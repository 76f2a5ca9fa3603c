import { createHash } from 'node:crypto';
import { canonicalJson, type ToolDescriptor } from '@easyremote/protocol';

/**
 * The identity of a tool descriptor: SHA-256 (base64url) of its canonical JSON (keys sorted at every
 * level, undefined members dropped), so two nodes advertising the same tool in a different key order
 * agree, and any change to any field — schemas, security level, category, annotations, fan-out,
 * requirements, title, description — is a different descriptor. Every field counts: the gateway
 * enforces some (schemas, level, category, fan-out, timeouts) and the model reads the others.
 */
export function descriptorDigest(descriptor: ToolDescriptor): string {
  return createHash('sha256').update(canonicalJson(descriptor)).digest('base64url');
}

/** Most entries a DigestCache keeps before it starts over (distinct descriptors are few in a mesh). */
const MAX_CACHED = 10_000;

/**
 * Digests are computed once per distinct descriptor, not once per node per rebuild: adverts are
 * decoded afresh on every heartbeat, so the cache is keyed by object (the same advert between
 * heartbeats) and then by its plain JSON text (the same descriptor from another node or beat).
 */
export class DigestCache {
  #byObject = new WeakMap<ToolDescriptor, string>();
  readonly #byText = new Map<string, string>();

  digest(descriptor: ToolDescriptor): string {
    const known = this.#byObject.get(descriptor);
    if (known !== undefined) return known;
    const text = JSON.stringify(descriptor);
    let digest = this.#byText.get(text);
    if (digest === undefined) {
      if (this.#byText.size >= MAX_CACHED) this.#byText.clear();
      digest = descriptorDigest(descriptor);
      this.#byText.set(text, digest);
    }
    this.#byObject.set(descriptor, digest);
    return digest;
  }
}

const RANK: Readonly<Record<string, number>> = { low: 0, standard: 1, high: 2 };

/** low < standard (or none) < high: the order in which a tool's security level may only rise. */
export function securityRank(descriptor: ToolDescriptor): number {
  return RANK[descriptor.metadata?.securityLevel ?? 'standard'] ?? 1;
}

/** True when `candidate` would make the tool callable by more keys than `approved` (a lower level). */
export function lowersSecurityLevel(candidate: ToolDescriptor, approved: ToolDescriptor): boolean {
  return securityRank(candidate) < securityRank(approved);
}
