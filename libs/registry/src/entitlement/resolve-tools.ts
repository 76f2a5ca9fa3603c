import type { ToolDescriptor } from '@easyremote/protocol';
import type { NodeEntry, ToolConflict, ToolEntry, ToolSet } from '../tool-set.js';
import { DigestCache, lowersSecurityLevel } from './descriptor-digest.js';
import type { EntitlementState, PinRequest } from './entitlement.js';
import type { ToolPin } from './grant-records.js';

/** A tool set, and what should become approved next (the caller hands `pinRequests` to its Entitlement). */
export interface Resolution {
  readonly set: ToolSet;
  readonly pinRequests: readonly PinRequest[];
}

interface Offer {
  readonly nodeId: string;
  readonly descriptor: ToolDescriptor;
  readonly digest: string;
}

// Code-unit order, not localeCompare: every gateway must agree regardless of its locale.
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a node may serve a tool at all, before descriptors are compared. */
function entitled(state: EntitlementState, nodeId: string, reserved: () => boolean, tool: string): boolean {
  const grant = state.grants.get(nodeId);
  if (grant !== undefined) return grant.globs.matches(tool);
  // A tool some grant names is reserved for granted nodes, even in open mode.
  return state.mode === 'open' && !reserved();
}

function reservedBy(state: EntitlementState, tool: string): boolean {
  for (const { globs } of state.grants.values()) if (globs.matches(tool)) return true;
  return false;
}

/** The one digest all offers share, or undefined when they disagree (or there are none). */
function agreedDigest(offers: readonly Offer[]): string | undefined {
  const first = offers[0]?.digest;
  return first !== undefined && offers.every((offer) => offer.digest === first) ? first : undefined;
}

/**
 * Builds the mesh-wide tool list from the nodes' adverts under the entitlement rules (ADR 0011):
 *
 * 1. A node serves a tool only if entitled: its grant's globs match the name, or it has no grant, the
 *    mode is `open` and no grant names the tool. Others are `not-granted` conflicts.
 * 2. Among entitled nodes, only those advertising the approved (pinned) descriptor are providers.
 *    A different descriptor is a `descriptor-differs` conflict, or `security-downgrade` when it has a
 *    lower security level; it gets no calls and changes nothing about the tool.
 * 3. No pin yet: when every entitled node agrees, that descriptor is approved now and a `first-seen`
 *    pin requested; when they disagree nothing is approved (`unapproved`) until an operator says.
 * 4. A pin no entitled node serves any more is succeeded by the descriptor that the pin's own node or
 *    granted nodes agree on, unless it lowers the security level; anyone else needs an operator.
 *
 * Pure and deterministic: the same adverts and state give the same set on every gateway.
 */
export function resolveToolSet(
  nodes: ReadonlyMap<string, NodeEntry>,
  state: EntitlementState,
  digests: DigestCache = new DigestCache(),
): Resolution {
  const offersByTool = new Map<string, Offer[]>();
  for (const nodeId of [...nodes.keys()].sort(byCodeUnits)) {
    for (const descriptor of nodes.get(nodeId)?.advert.tools ?? []) {
      let offers = offersByTool.get(descriptor.name);
      if (offers === undefined) offersByTool.set(descriptor.name, (offers = []));
      // A node listing a name twice counts once, with its first descriptor; ids arrive in order.
      if (offers[offers.length - 1]?.nodeId !== nodeId)
        offers.push({ nodeId, descriptor, digest: digests.digest(descriptor) });
    }
  }

  const list: ToolEntry[] = [];
  const byName = new Map<string, ToolEntry>();
  const conflicts: ToolConflict[] = [];
  const pinRequests: PinRequest[] = [];
  for (const tool of [...offersByTool.keys()].sort(byCodeUnits)) {
    const offers = offersByTool.get(tool)!;
    // Looked up only for an ungranted node in open mode: it walks every grant.
    let reservedCache: boolean | undefined;
    const reserved = () => (reservedCache ??= reservedBy(state, tool));
    const allowed: Offer[] = [];
    for (const offer of offers) {
      if (entitled(state, offer.nodeId, reserved, tool)) allowed.push(offer);
      else conflicts.push({ tool, nodeId: offer.nodeId, reason: 'not-granted', digest: offer.digest });
    }
    const pin = state.pins.get(tool);
    const approvedDigest = approve(state, tool, allowed, pin, pinRequests);
    const approved: Offer[] = [];
    for (const offer of allowed) {
      if (offer.digest === approvedDigest) {
        approved.push(offer);
        continue;
      }
      const reason =
        pin === undefined
          ? 'unapproved'
          : lowersSecurityLevel(offer.descriptor, pin.descriptor)
            ? 'security-downgrade'
            : 'descriptor-differs';
      const against = approvedDigest ?? pin?.digest;
      conflicts.push({
        tool,
        nodeId: offer.nodeId,
        reason,
        digest: offer.digest,
        ...(against === undefined ? {} : { approvedDigest: against }),
      });
    }
    if (approved.length === 0) continue;
    // Nodes the queue group cannot tell apart from providers: placement must not use tools.<token>.
    const restricted = approved.length < offers.length || state.mode === 'required';
    const entry: ToolEntry = Object.freeze({
      name: tool,
      descriptor: approved[0]!.descriptor,
      providers: Object.freeze(approved.map((offer) => offer.nodeId)),
      ...(restricted ? { restricted: true as const } : {}),
    });
    list.push(entry);
    byName.set(tool, entry);
  }
  return {
    set: {
      list: Object.freeze(list),
      byName,
      conflicts: Object.freeze(conflicts),
      signature: signatureOf(list, digests),
    },
    pinRequests,
  };
}

/**
 * The approved digest among the entitled offers: the pin's while someone serves it. Otherwise the one
 * the eligible nodes agree on, requesting a first-seen pin (no pin yet: every entitled node is
 * eligible) or a succession of a pin nobody serves (eligible: the node the pin came from, e.g. after a
 * restart with an updated tool, and nodes whose grant names the tool) that does not lower the pinned
 * security level. Undefined when nothing can be approved: another node can never replace a pinned
 * descriptor by waiting for its node to leave.
 */
function approve(
  state: EntitlementState,
  tool: string,
  allowed: readonly Offer[],
  pin: ToolPin | undefined,
  requests: PinRequest[],
): string | undefined {
  if (pin !== undefined && allowed.some((offer) => offer.digest === pin.digest)) return pin.digest;
  const eligible =
    pin === undefined
      ? allowed
      : allowed.filter((offer) => offer.nodeId === pin.nodeId || state.grants.has(offer.nodeId));
  const agreed = agreedDigest(eligible);
  const candidate = eligible[0];
  if (agreed === undefined || candidate === undefined) return undefined;
  if (pin !== undefined && lowersSecurityLevel(candidate.descriptor, pin.descriptor)) return undefined;
  const request = { tool, digest: agreed, descriptor: candidate.descriptor, nodeId: candidate.nodeId };
  requests.push(pin === undefined ? { ...request, by: 'first-seen' } : { ...request, by: 'succession', replaces: pin });
  return agreed;
}

/** Names, approved descriptors and providers: equal signatures mean an unchanged tool list. */
function signatureOf(list: readonly ToolEntry[], digests: DigestCache): string {
  return list
    .map(
      (entry) =>
        `${entry.name} ${digests.digest(entry.descriptor)} ${entry.providers.join(',')}${entry.restricted ? ' r' : ''}`,
    )
    .join('\n');
}

/**
 * Builds the mesh-wide tool list under the entitlement rules (resolveToolSet above): by default
 * open, with no grants and no approved descriptors yet, so a tool whose nodes disagree on its
 * descriptor is not listed until one is approved.
 */
export function buildToolSet(nodes: ReadonlyMap<string, NodeEntry>, state: EntitlementState = OPEN_STATE): ToolSet {
  return resolveToolSet(nodes, state).set;
}

const OPEN_STATE: EntitlementState = Object.freeze({ mode: 'open', grants: new Map(), pins: new Map() });
