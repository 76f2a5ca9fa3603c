import {
  CallRequirements,
  MetaKey,
  parseByteSize,
  PlacementConstraints,
  type PlacementStrategy,
} from '@easyremote/protocol';
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

const PLACEMENT_KEYS = Object.keys(PlacementConstraints.properties);
const REQUIREMENT_KEYS = Object.keys(CallRequirements.properties);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names the unknown key and where it belongs, rather than the schema's "additional properties". */
function unknownKey(where: string, value: Record<string, unknown>, known: readonly string[]): string | undefined {
  const extra = Object.keys(value).find((name) => !known.includes(name));
  if (extra === undefined) return undefined;
  const hint =
    where === MetaKey.placement && REQUIREMENT_KEYS.includes(extra)
      ? `; a call's own needs go under requirements, e.g. {"requirements":{"${extra}":…}}`
      : '';
  return `Invalid ${where}: unknown key ${JSON.stringify(extra)} (allowed: ${known.join(', ')})${hint}`;
}

function checked(value: unknown): PlacementConstraints {
  if (isRecord(value)) {
    const problem =
      unknownKey(MetaKey.placement, value, PLACEMENT_KEYS) ??
      (isRecord(value.requirements)
        ? unknownKey(`${MetaKey.placement}.requirements`, value.requirements, REQUIREMENT_KEYS)
        : undefined);
    if (problem !== undefined) throw invalid(problem);
  }
  if (!checker.Check(value)) {
    const first = checker.Errors(value)[0];
    throw invalid(
      `Invalid ${MetaKey.placement}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'not an object'}`,
    );
  }
  return value;
}

function key(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256)
    throw invalid(`${MetaKey.idempotencyKey} must be a string of 1-256 characters`);
  return value;
}

/** MCP: `_meta["easyremote/placement"]` = `{ nodeId?, labels?, strategy?, requirements? }`, `_meta["easyremote/idempotencyKey"]`. */
export function placementFromMeta(meta: Readonly<Record<string, unknown>> | undefined): CallPlacement {
  if (meta === undefined) return NO_PLACEMENT;
  const raw = meta[MetaKey.placement];
  const idempotencyKey = key(meta[MetaKey.idempotencyKey]);
  if (raw === undefined && idempotencyKey === undefined) return NO_PLACEMENT;
  return { constraints: raw === undefined ? undefined : checked(raw), idempotencyKey };
}

/** The REST query keys: placement (`node`, `label`, `strategy`) and the call's requirements. */
const QUERY_KEYS = ['node', 'label', 'strategy', 'gpu', 'memory', 'cpus', 'model'];

function single(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(`${name} may be given once`);
  return String(value);
}

/** `?gpu=true|false|<count>&memory=8GiB&cpus=4&model=<name>` as a call's requirements. */
function requirementsFromQuery(query: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const requirements: Record<string, unknown> = {};
  const gpu = single(query, 'gpu');
  if (gpu !== undefined) {
    if (gpu === 'true' || gpu === 'false') requirements.gpu = gpu === 'true';
    else if (/^[1-9]\d{0,3}$/.test(gpu)) requirements.gpu = { count: Number(gpu) };
    else throw invalid(`gpu must be true, false or a GPU count, got ${JSON.stringify(gpu)}`);
  }
  const memory = single(query, 'memory');
  if (memory !== undefined) {
    try {
      requirements.memoryBytes = parseByteSize(memory);
    } catch (error) {
      throw invalid(`memory: ${(error as Error).message}`);
    }
  }
  const cpus = single(query, 'cpus');
  if (cpus !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(cpus)) throw invalid(`cpus must be a positive integer, got ${JSON.stringify(cpus)}`);
    requirements.cpus = Number(cpus);
  }
  const model = single(query, 'model');
  if (model !== undefined) requirements.model = model;
  return Object.keys(requirements).length === 0 ? undefined : requirements;
}

/**
 * REST: query `?node=<id>&label=k=v&label=k2=v2&strategy=<name>` plus the call's requirements
 * (`gpu`, `memory`, `cpus`, `model`) and the `Idempotency-Key` header (the body stays the tool's
 * arguments). The query carries nothing else, so an unknown key is refused, like in `_meta`.
 */
export function placementFromQuery(
  query: Readonly<Record<string, unknown>>,
  idempotencyHeader: unknown,
): CallPlacement {
  const extra = Object.keys(query).find((name) => !QUERY_KEYS.includes(name));
  if (extra !== undefined)
    throw invalid(`Unknown query parameter ${JSON.stringify(extra)} (allowed: ${QUERY_KEYS.join(', ')})`);
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
  const requirements = requirementsFromQuery(query);
  if (requirements !== undefined) constraints.requirements = requirements;
  const idempotencyKey = key(Array.isArray(idempotencyHeader) ? idempotencyHeader[0] : idempotencyHeader);
  return { constraints: Object.keys(constraints).length === 0 ? undefined : checked(constraints), idempotencyKey };
}
