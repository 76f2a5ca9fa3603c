import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV } from '@nats-io/kv';
import {
  decodeNodeAdvert,
  GRANTS_BUCKET,
  isValidNodeId,
  isValidToolName,
  type ToolDescriptor,
} from '@easyremote/protocol';
import { describeError, RegistryError, RegistryErrorCode } from '../errors.js';
import { descriptorDigest } from './descriptor-digest.js';
import {
  decodeGrant,
  decodePin,
  grantKey,
  parseGrantsKey,
  pinKey,
  type NodeGrant,
  type ToolPin,
} from './grant-records.js';
import { isValidToolGlob } from './tool-glob.js';

export interface GrantsBucketOptions {
  /** Default `GRANTS_BUCKET`. */
  bucket?: string;
  /** Stream replicas when the bucket is created (3 on a three-server cluster). Default 1. */
  replicas?: number;
}

/** Opens (creating when missing) the grants bucket. Only operators and gateways may write it (nats/secure). */
export async function openGrantsBucket(nc: NatsConnection, options: GrantsBucketOptions = {}): Promise<KV> {
  const bucket = options.bucket ?? GRANTS_BUCKET;
  try {
    return await new Kvm(nc).create(bucket, { history: 5, replicas: options.replicas ?? 1 });
  } catch (error) {
    throw new RegistryError(
      RegistryErrorCode.GrantsUnavailable,
      `cannot open the grants bucket ${bucket}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

function invalid(message: string): RegistryError {
  return new RegistryError(RegistryErrorCode.InvalidGrant, message);
}

/** Store failures become REG_ERR_GRANTS_UNAVAILABLE; our own errors pass through. */
async function storeCall<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(RegistryErrorCode.GrantsUnavailable, `cannot ${what}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/**
 * What an operator does to the grants bucket (`easyremote grants`): which tools each node may serve,
 * and which descriptor of a tool is the approved one. Every gateway's GrantView sees a change at once.
 */
export class GrantStore {
  constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, options: GrantsBucketOptions = {}): Promise<GrantStore> {
    return new GrantStore(await openGrantsBucket(nc, options));
  }

  /** Replaces the node's grant with these globs (`*` matches any characters). */
  async set(nodeId: string, globs: readonly string[]): Promise<NodeGrant> {
    if (!isValidNodeId(nodeId))
      throw invalid(`invalid node id ${JSON.stringify(nodeId)}: use 1-64 characters of A-Z a-z 0-9 _ -`);
    const tools = [...new Set(globs.map((glob) => glob.trim()).filter(Boolean))];
    if (tools.length === 0)
      throw invalid('a grant needs at least one tool glob (revoke the grant to take every tool away)');
    const bad = tools.find((glob) => !isValidToolGlob(glob));
    if (bad !== undefined)
      throw invalid(
        `invalid tool glob ${JSON.stringify(bad)}: use 1-128 characters of A-Z a-z 0-9 _ . - and * (any characters)`,
      );
    const grant: NodeGrant = { nodeId, tools, updatedAt: new Date().toISOString() };
    await storeCall('write the grant', () => this.kv.put(grantKey(nodeId), JSON.stringify(grant)));
    return grant;
  }

  /** The node's grant; REG_ERR_GRANT_NOT_FOUND when it has none. */
  async get(nodeId: string): Promise<NodeGrant> {
    if (!isValidNodeId(nodeId)) throw invalid(`invalid node id ${JSON.stringify(nodeId)}`);
    const grant = await storeCall('read the grant', async () => {
      const entry = await this.kv.get(grantKey(nodeId));
      return entry && entry.operation === 'PUT' && entry.value.length > 0
        ? decodeGrant(nodeId, entry.json<unknown>())
        : undefined;
    });
    if (grant === undefined) throw new RegistryError(RegistryErrorCode.GrantNotFound, `node ${nodeId} has no grant`);
    return grant;
  }

  /** Removes the node's grant: in `required` mode it serves nothing, in `open` mode only unreserved tools. */
  async revoke(nodeId: string): Promise<NodeGrant> {
    const grant = await this.get(nodeId);
    await storeCall('delete the grant', () => this.kv.delete(grantKey(nodeId)));
    return grant;
  }

  /** Every grant, by node id. */
  async list(): Promise<NodeGrant[]> {
    const grants: NodeGrant[] = [];
    for (const [key, value] of await this.#entries()) {
      const parsed = parseGrantsKey(key);
      const grant = parsed?.kind === 'grant' ? decodeGrant(parsed.nodeId, value) : undefined;
      if (grant !== undefined) grants.push(grant);
    }
    return grants.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
  }

  /** Every approved descriptor, by tool name. */
  async pins(): Promise<ToolPin[]> {
    const pins: ToolPin[] = [];
    for (const [key, value] of await this.#entries()) {
      const parsed = parseGrantsKey(key);
      const pin = parsed?.kind === 'pin' ? decodePin(parsed.tool, value) : undefined;
      if (pin !== undefined) pins.push(pin);
    }
    return pins.sort((a, b) => (a.tool < b.tool ? -1 : 1));
  }

  /** Makes `descriptor` (as node `nodeId` advertises it) the tool's approved descriptor, whatever came before. */
  async approve(descriptor: ToolDescriptor, nodeId: string): Promise<ToolPin> {
    if (!isValidToolName(descriptor.name)) throw invalid(`invalid tool name ${JSON.stringify(descriptor.name)}`);
    const pin: ToolPin = {
      tool: descriptor.name,
      digest: descriptorDigest(descriptor),
      descriptor,
      nodeId,
      by: 'operator',
      pinnedAt: new Date().toISOString(),
    };
    await storeCall('write the approval', () => this.kv.put(pinKey(pin.tool), JSON.stringify(pin)));
    return pin;
  }

  /** Forgets the tool's approved descriptor: gateways approve the next one the entitled nodes agree on. */
  async unpin(tool: string): Promise<ToolPin> {
    if (!isValidToolName(tool)) throw invalid(`invalid tool name ${JSON.stringify(tool)}`);
    const pin = await storeCall('read the approval', async () => {
      const entry = await this.kv.get(pinKey(tool));
      return entry && entry.operation === 'PUT' && entry.value.length > 0
        ? decodePin(tool, entry.json<unknown>())
        : undefined;
    });
    if (pin === undefined)
      throw new RegistryError(RegistryErrorCode.GrantNotFound, `tool ${tool} has no approved descriptor`);
    await storeCall('delete the approval', () => this.kv.delete(pinKey(tool)));
    return pin;
  }

  async #entries(): Promise<Array<[string, unknown]>> {
    return storeCall('list the grants bucket', async () => {
      const entries: Array<[string, unknown]> = [];
      for await (const key of await this.kv.keys()) {
        const entry = await this.kv.get(key);
        if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) continue;
        try {
          entries.push([key, entry.json<unknown>()]);
        } catch {
          // Not JSON: listed by nobody, like a malformed grant a gateway ignores.
        }
      }
      return entries;
    });
  }
}

/** The descriptor node `nodeId` advertises for `tool` right now, read from the registry bucket. */
export async function advertisedDescriptor(registry: KV, nodeId: string, tool: string): Promise<ToolDescriptor> {
  if (!isValidNodeId(nodeId)) throw invalid(`invalid node id ${JSON.stringify(nodeId)}`);
  const entry = await storeCall('read the registry', () => registry.get(nodeId));
  if (!entry || entry.operation !== 'PUT' || entry.value.length === 0)
    throw invalid(`node ${nodeId} is not in the registry (is it running?)`);
  let descriptor: ToolDescriptor | undefined;
  try {
    descriptor = decodeNodeAdvert(entry.value).tools.find((candidate) => candidate.name === tool);
  } catch (error) {
    throw invalid(`node ${nodeId}'s registry entry is malformed: ${describeError(error)}`);
  }
  if (descriptor === undefined) throw invalid(`node ${nodeId} does not advertise tool ${tool}`);
  return descriptor;
}
