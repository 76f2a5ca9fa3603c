import { RESOURCE_UPDATED_SUBJECT, type Logger } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { type RequestId, SUBSCRIPTION_ID_META_KEY } from '@modelcontextprotocol/server';
import type { ResponseChannel } from './response-channel.js';
import type { SessionStore } from './session-store.js';

/** What a 2026-07-28 `subscriptions/listen` asked to hear. */
export interface ListenFilter {
  toolsListChanged?: boolean;
  resourcesListChanged?: boolean;
  promptsListChanged?: boolean;
  resourceSubscriptions?: string[];
}

interface LegacyStream {
  sid: string;
  channel: ResponseChannel;
}

interface ListenStream {
  id: RequestId;
  filter: ListenFilter;
  channel: ResponseChannel;
}

type ListKind = 'tools' | 'resources' | 'prompts';

/**
 * Server-initiated notifications that are not tied to a call: list changes when nodes come and go,
 * and resource updates nodes announce. Each replica watches the registry itself, so whichever replica
 * holds a client's stream (2025 GET stream, 2026 `subscriptions/listen`) tells that client.
 */
export class ChangeStreams {
  readonly #legacy = new Set<LegacyStream>();
  readonly #listen = new Set<ListenStream>();
  readonly #sessions: SessionStore;
  readonly #maxStreams: number;
  #unsubscribeRegistry: (() => void) | undefined;
  #updates: Subscription | undefined;

  constructor(deps: {
    registry: RegistryView;
    sessions: SessionStore;
    nc: NatsConnection;
    logger: Logger;
    maxStreams: number;
  }) {
    this.#sessions = deps.sessions;
    this.#maxStreams = deps.maxStreams;
    this.#unsubscribeRegistry = deps.registry.onChange((change) => {
      if (change.toolsChanged) this.#listChanged('tools');
      if (change.catalogChanged) {
        this.#listChanged('resources');
        this.#listChanged('prompts');
      }
    });
    this.#updates = deps.nc.subscribe(RESOURCE_UPDATED_SUBJECT, {
      callback: (error, message) => {
        if (error) return;
        try {
          const { uri } = JSON.parse(new TextDecoder().decode(message.data)) as { uri?: unknown };
          if (typeof uri === 'string') this.resourceUpdated(uri);
        } catch (cause) {
          deps.logger.warn({ err: cause }, 'malformed resource update');
        }
      },
    });
  }

  get size(): number {
    return this.#legacy.size + this.#listen.size;
  }

  /** True when another stream would exceed the configured limit. */
  get full(): boolean {
    return this.size >= this.#maxStreams;
  }

  /** A 2025-era GET stream for a session; closed when the client goes away. */
  openLegacy(sid: string, channel: ResponseChannel): void {
    const stream = { sid, channel };
    this.#legacy.add(stream);
    channel.startStream();
    channel.onClose(() => this.#legacy.delete(stream));
  }

  /** A 2026-07-28 listen: acknowledge, then deliver matching notifications until the client closes. */
  openListen(id: RequestId, filter: ListenFilter, channel: ResponseChannel): void {
    const stream = { id, filter, channel };
    this.#listen.add(stream);
    channel.startStream();
    channel.onClose(() => this.#listen.delete(stream));
    channel.send({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: filter, _meta: { [SUBSCRIPTION_ID_META_KEY]: id } },
    });
  }

  /** The resource list changed for a reason the registry does not see (a data set came or went). */
  resourcesChanged(): void {
    this.#listChanged('resources');
  }

  /** Tell every stream interested in `uri` that it changed. */
  resourceUpdated(uri: string): void {
    for (const stream of this.#legacy) {
      if (this.#sessions.get(stream.sid)?.subscriptions?.includes(uri)) {
        stream.channel.send({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } });
      }
    }
    for (const stream of this.#listen) {
      if (stream.filter.resourceSubscriptions?.includes(uri)) {
        stream.channel.send({
          jsonrpc: '2.0',
          method: 'notifications/resources/updated',
          params: { uri, _meta: { [SUBSCRIPTION_ID_META_KEY]: stream.id } },
        });
      }
    }
  }

  stop(): void {
    this.#unsubscribeRegistry?.();
    this.#updates?.unsubscribe();
    for (const stream of this.#legacy) stream.channel.close();
    for (const stream of this.#listen) stream.channel.close();
  }

  #listChanged(kind: ListKind): void {
    const method = `notifications/${kind}/list_changed`;
    for (const stream of this.#legacy) stream.channel.send({ jsonrpc: '2.0', method });
    const wants =
      kind === 'tools' ? 'toolsListChanged' : kind === 'resources' ? 'resourcesListChanged' : 'promptsListChanged';
    for (const stream of this.#listen) {
      if (stream.filter[wants])
        stream.channel.send({ jsonrpc: '2.0', method, params: { _meta: { [SUBSCRIPTION_ID_META_KEY]: stream.id } } });
    }
  }
}
