import { randomBytes } from 'node:crypto';
import { gatewayNotifySubject, type Logger } from '@easyremote/protocol';
import type { RpcClient } from '@easyremote/mesh';
import type { RegistryView } from '@easyremote/registry';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { ResultCache } from '../cache/result-cache.js';
import type { GatewayConfig } from '../config.js';
import { CallEvents } from '../pipeline/call-events.js';
import { createRouter } from '../routing/create-router.js';
import { Cancellation } from './cancellation.js';
import { ChangeStreams } from './change-streams.js';
import { ClientRequests } from './client-requests.js';
import { DataSets } from './data-sets.js';
import { LiveCalls } from './call-context.js';
import { ToolsListing } from './methods/tools-list.js';
import { startNotifyRelay } from './node-notify-relay.js';
import type { McpServices } from './services.js';
import { SESSION_BUCKET, SessionStore } from './session-store.js';
import type { SessionTokens } from './session-token.js';
import { TaskService } from '../tasks/task-service.js';
import { TaskStore } from '../tasks/task-store.js';
import { GatewayTaskRunner } from '../tasks/gateway-task-runner.js';
import { NodeDepartures } from '../tasks/node-departures.js';
import { redispatchedCall } from '../tasks/task-retry.js';

export interface RunningServices {
  services: McpServices;
  stop(): void;
}

/** Builds and starts everything the MCP endpoint needs on one replica; `stop()` undoes it. */
export async function createMcpServices(
  nc: NatsConnection,
  deps: { registry: RegistryView; rpc: RpcClient; sessions: SessionTokens; config: GatewayConfig; logger: Logger },
): Promise<RunningServices> {
  const { registry, rpc, sessions, config, logger } = deps;
  // Subject-safe and unique per process: names this replica in request ids and reply subjects.
  const gatewayId = `gw-${randomBytes(8).toString('hex')}`;
  const notifySubject = gatewayNotifySubject(gatewayId);
  const sessionKv = await new Kvm(nc).create(SESSION_BUCKET, {
    history: 1,
    ttl: config.sessionMaxAgeMs,
    replicas: config.kvReplicas,
  });
  const sessionStore = await SessionStore.open(sessionKv, logger.child({ component: 'sessions' }));
  const dataSets = await DataSets.open(nc, logger.child({ component: 'data-sets' }), config.kvReplicas);
  const live = new LiveCalls();
  const clientRequests = new ClientRequests(nc, gatewayId, logger.child({ component: 'client-requests' }));
  clientRequests.start();
  const cancellation = new Cancellation(nc, live, logger.child({ component: 'cancellation' }));
  cancellation.start();
  const relay = startNotifyRelay(nc, notifySubject, {
    live,
    clientRequests,
    logger: logger.child({ component: 'notify-relay' }),
  });
  const streams = new ChangeStreams({
    registry,
    sessions: sessionStore,
    nc,
    logger: logger.child({ component: 'streams' }),
    maxStreams: config.maxStreams,
  });
  const stopDataWatch = dataSets.onChange(() => streams.resourcesChanged());
  const resultCache = await ResultCache.open(nc, {
    replicas: config.kvReplicas,
    logger: logger.child({ component: 'result-cache' }),
  });
  const taskStore = await TaskStore.open(nc, {
    replicas: config.kvReplicas,
    ttlMs: config.taskTtlMs,
    logger: logger.child({ component: 'tasks' }),
  });
  const departures = new NodeDepartures(registry);
  const taskRunner = new GatewayTaskRunner(gatewayId, {
    store: taskStore,
    nc,
    registry,
    departures,
    logger: logger.child({ component: 'tasks' }),
  });
  const tasks = new TaskService(
    {
      store: taskStore,
      registry,
      nc,
      rpc,
      clientRequests,
      runner: taskRunner,
      departures,
      logger: logger.child({ component: 'tasks' }),
      maxAttempts: config.callAttempts,
      // The router is built below; a task is run again only long after start.
      redispatch: (record, callId) => router.runner.run(redispatchedCall(record, callId)),
    },
    config,
  );
  const router = createRouter({
    taskRunner,
    nc,
    registry,
    rpc,
    config,
    logger: logger.child({ component: 'router' }),
  });
  const services: McpServices = {
    registry,
    runner: router.runner,
    resultCache,
    callEvents: new CallEvents((error) => logger.error({ err: error }, 'call event observer failed')),
    nodeRpc: router.nodeRpc,
    listing: new ToolsListing(registry, config.pageSize),
    // execution.taskSupport only where tasks are on: a 2025 client task-augments a call by it.
    legacyListing: new ToolsListing(registry, config.pageSize, config.tasks !== 'off'),
    live,
    clientRequests,
    cancellation,
    streams,
    sessions,
    sessionStore,
    dataSets,
    tasks,
    notifySubject,
    pageSize: config.pageSize,
    logger,
  };
  logger.info({ gatewayId }, 'MCP services started');
  return {
    services,
    stop() {
      taskRunner.stop();
      router.stop();
      stopDataWatch();
      streams.stop();
      relay.unsubscribe();
      cancellation.stop();
      clientRequests.stop();
      dataSets.stop();
      sessionStore.stop();
    },
  };
}
