import { MetaKey, PlacementConstraints, type PlacementStrategy } from '@easyremote/protocol';
import { Compile } from 'typebox/compile';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/** Where and how safely one call may run, as its caller asked. */
export interface CallPlacement {
  readonly constraints: PlacementConstraints | undefined;
  /** Makes the call safe to retry on another node after a timeout or a lost node. */
  readonly idempotencyKey: string | undefined;
}

export const NO_PLACEMENT: CallPlacement = Object.freeze({ constraints: undefined, idempotencyKey: undefined });

const checker = Compile(PlacementConstraints);

function invalid(message: string): GatewayError {
  return new GatewayError(GatewayErrorCode.InvalidPlacement, message);
}

function checked(value: unknown): PlacementConstraints {
  if (!checker.Check(value)) {
    const first = checker.Errors(value)[0];
    throw invalid(`Invalid ${MetaKey.placement}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'not an object'}`);
  }
  return value;
}

function key(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw invalid(`${MetaKey.idempotencyKey} must be a string of 1-256 characters`);
  return value;
}

/** MCP: `_meta["easyremote/placement"]` = `{ nodeId?, labels?, strategy? }`, `_meta["easyremote/idempotencyKey"]`. */
export function placementFromMeta(meta: Readonly<Record<string, unknown>> | undefined): CallPlacement {
  if (meta === undefined) return NO_PLACEMENT;
  const raw = meta[MetaKey.placement];
  const idempotencyKey = key(meta[MetaKey.idempotencyKey]);
  if (raw === undefined && idempotencyKey === undefined) return NO_PLACEMENT;
  return { constraints: raw === undefined ? undefined : checked(raw), idempotencyKey };
}

/**
 * REST: query `?node=<id>&label=k=v&label=k2=v2&strategy=<name>` and the `Idempotency-Key` header
 * (the body stays the tool's arguments).
 */
export function placementFromQuery(query: Readonly<Record<string, unknown>>, idempotencyHeader: unknown): CallPlacement {
  const constraints: Record<string, unknown> = {};
  if (query.node !== undefined) constraints.nodeId = query.node;
  if (query.strategy !== undefined) constraints.strategy = query.strategy as PlacementStrategy;
  const labels = query.label === undefined ? [] : Array.isArray(query.label) ? query.label : [query.label];
  if (labels.length > 0) {
    const parsed: Record<string, string> = {};
    for (const label of labels) {
      const text = String(label);
      const cut = text.indexOf('=');
      if (cut <= 0) throw invalid(`label must be key=value, got ${JSON.stringify(text)}`);
      parsed[text.slice(0, cut)] = text.slice(cut + 1);
    }
    constraints.labels = parsed;
  }
  const idempotencyKey = key(Array.isArray(idempotencyHeader) ? idempotencyHeader[0] : idempotencyHeader);
  return { constraints: Object.keys(constraints).length === 0 ? undefined : checked(constraints), idempotencyKey };
}
