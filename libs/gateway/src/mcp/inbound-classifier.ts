import { classifyInboundRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import { type JSONRPCRequest } from '@modelcontextprotocol/server';

export interface InboundHeaders {
  protocolVersion: string | undefined;
  method: string | undefined;
  name: string | undefined;
}

export type InboundRoute = ReturnType<typeof classifyInboundRequest>;

/** `_meta` keys whose values differ on every request; the envelope check only depends on their type. */
const PER_REQUEST_META_KEYS = new Set(['progressToken', 'traceparent', 'tracestate']);
/** Envelopes remembered as valid; the list starts over when full (clients send a handful of shapes). */
const MAX_REMEMBERED_ENVELOPES = 32;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The SDK's era classification (`classifyInboundRequest`) with a fast path for the common case.
 *
 * The SDK checks every body against the JSON-RPC response schemas before the request schema, and
 * zod builds issue objects for each failed branch: ~5% of the gateway's time per call. Requests
 * are answered here when they are plainly well-formed and their verdict is already known:
 * - no envelope claim and no modern version header: legacy, exactly as the SDK decides it;
 * - an envelope claim whose `_meta` (per-request values such as progressToken aside) the SDK has
 *   already accepted with the same headers: modern.
 * Everything else — initialize, notifications, responses, batches, whitespace in headers,
 * mismatches, new envelopes — goes to the SDK, which stays the authority on every rejection.
 */
export class InboundClassifier {
  readonly #modernVersions: ReadonlySet<string>;
  /** `_meta` objects the SDK accepted, compared by value (per-request values by type only). */
  #validEnvelopes: Array<Record<string, unknown>> = [];

  constructor(modernVersions: readonly string[]) {
    this.#modernVersions = new Set(modernVersions);
  }

  classify(body: unknown, headers: InboundHeaders): InboundRoute {
    const request = wellFormedRequest(body);
    if (request === undefined) return this.#sdk(body, headers);
    const meta = request.params?._meta;
    if (meta === undefined || (isPlainObject(meta) && !(PROTOCOL_VERSION_META_KEY in meta))) {
      if (
        headers.protocolVersion !== undefined &&
        (this.#modernVersions.has(headers.protocolVersion.trim()) || /\s/.test(headers.protocolVersion))
      ) {
        return this.#sdk(body, headers);
      }
      return {
        kind: 'legacy',
        reason: 'no-claim',
        ...(headers.protocolVersion === undefined ? {} : { requestedVersion: headers.protocolVersion }),
      } as InboundRoute;
    }
    if (!isPlainObject(meta)) return this.#sdk(body, headers);
    const claim = meta[PROTOCOL_VERSION_META_KEY];
    if (typeof claim !== 'string' || !this.#modernVersions.has(claim)) return this.#sdk(body, headers);
    if (headers.protocolVersion !== undefined && headers.protocolVersion !== claim) return this.#sdk(body, headers);
    if (headers.method !== undefined && headers.method !== request.method) return this.#sdk(body, headers);
    if (this.#validEnvelopes.some((known) => sameEnvelope(known, meta))) {
      return {
        kind: 'modern',
        messageKind: 'request',
        message: request,
        classification: { era: 'modern', revision: claim },
      } as unknown as InboundRoute;
    }
    const route = this.#sdk(body, headers);
    if (route.kind === 'modern' && route.messageKind === 'request') {
      if (this.#validEnvelopes.length >= MAX_REMEMBERED_ENVELOPES) this.#validEnvelopes = [];
      this.#validEnvelopes.push(structuredClone(meta));
    }
    return route;
  }

  #sdk(body: unknown, headers: InboundHeaders): InboundRoute {
    return classifyInboundRequest({
      httpMethod: 'POST',
      body,
      ...(headers.protocolVersion === undefined ? {} : { protocolVersionHeader: headers.protocolVersion }),
      ...(headers.method === undefined ? {} : { mcpMethodHeader: headers.method }),
      ...(headers.name === undefined ? {} : { mcpNameHeader: headers.name }),
    });
  }
}

/** A JSON-RPC request other than initialize with nothing unusual about it, or undefined. */
function wellFormedRequest(body: unknown): JSONRPCRequest | undefined {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0') return undefined;
  const { id, method, params } = body;
  if (typeof method !== 'string' || method === 'initialize') return undefined;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) return undefined;
  if (params !== undefined && !isPlainObject(params)) return undefined;
  for (const key in body)
    if (key !== 'jsonrpc' && key !== 'id' && key !== 'method' && key !== 'params') return undefined;
  return body as unknown as JSONRPCRequest;
}

/**
 * Whether two envelopes get the same verdict from the SDK's envelope check: the same keys, equal
 * values, except per-request values (progress token, trace context), which must only have the same
 * type. Compares in place: no strings are built for a request that matches.
 */
function sameEnvelope(known: Record<string, unknown>, meta: Record<string, unknown>): boolean {
  let count = 0;
  for (const name in meta) {
    count += 1;
    if (!Object.hasOwn(known, name)) return false;
    const a = known[name];
    const b = meta[name];
    if (PER_REQUEST_META_KEYS.has(name) ? typeof a !== typeof b : !jsonEqual(a, b)) return false;
  }
  return count === Object.keys(known).length;
}

/** Deep equality of JSON values (objects by keys, arrays by order). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!jsonEqual(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in right) {
    count += 1;
    if (!Object.hasOwn(left, key) || !jsonEqual(left[key], right[key])) return false;
  }
  return count === Object.keys(left).length;
}
