import { setTimeout as sleep } from 'node:timers/promises';
import { LauncherError, LauncherErrorCode, freePorts } from './launch-support.js';
import { startNats, type NatsServerHandle } from './start-nats.js';

export interface StartClusterOptions {
  /** The member config, e.g. `nats/cluster.conf`; it must read the variables listed on ClusterHandle. */
  configFile: string;
  /** Members. Default 3 (JetStream replicas 3 need three peers). */
  size?: number;
  binary?: string;
  path?: string;
  /** Prefix of the member names (`<prefix>-1`, ...). Default `hub`. */
  namePrefix?: string;
  /** Longest wait for every member to report healthy JetStream (`/healthz`). Default 20 s. */
  readyTimeoutMs?: number;
}

export interface ClusterMember {
  readonly name: string;
  readonly server: NatsServerHandle;
  /** `nats-leaf://127.0.0.1:<port>`: where an edge leaf server attaches to this member. */
  readonly leafUrl: string;
  /** `http://127.0.0.1:<port>`: the member's monitoring endpoint. */
  readonly monitorUrl: string;
}

export interface ClusterHandle extends AsyncDisposable {
  readonly members: readonly ClusterMember[];
  /** Every member's client URL, for clients that should fail over among them. */
  readonly urls: string[];
  /** Resolves once every running member answers `/healthz` with 200 (JetStream current); stopped members are skipped. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a JetStream cluster from one committed member config on 127.0.0.1. Each member gets its
 * variables through the environment (`NATS_SERVER_NAME`, `NATS_HOST`, `NATS_CLUSTER_PORT`,
 * `NATS_ROUTES`, `NATS_LEAF_PORT`, `NATS_MONITOR_PORT`) and its client port, store and ports file
 * through flags; resolves once the cluster has a JetStream meta leader and every member is current.
 */
export async function startCluster(options: StartClusterOptions): Promise<ClusterHandle> {
  const size = options.size ?? 3;
  const prefix = options.namePrefix ?? 'hub';
  const ports = await freePorts(size * 3);
  const routePorts = ports.slice(0, size);
  const routes = `[${routePorts.map((port) => `nats://127.0.0.1:${port}`).join(', ')}]`;
  const started = await Promise.allSettled(
    routePorts.map(async (routePort, i): Promise<ClusterMember> => {
      const name = `${prefix}-${i + 1}`;
      const leafPort = ports[size + i] ?? 0;
      const monitorPort = ports[2 * size + i] ?? 0;
      const server = await startNats({
        configFile: options.configFile,
        ...(options.binary !== undefined ? { binary: options.binary } : {}),
        ...(options.path !== undefined ? { path: options.path } : {}),
        env: {
          NATS_SERVER_NAME: name,
          NATS_HOST: '127.0.0.1',
          NATS_CLUSTER_PORT: String(routePort),
          NATS_ROUTES: routes,
          NATS_LEAF_PORT: String(leafPort),
          NATS_MONITOR_PORT: String(monitorPort),
        },
      });
      return {
        name,
        server,
        leafUrl: `nats-leaf://127.0.0.1:${leafPort}`,
        monitorUrl: `http://127.0.0.1:${monitorPort}`,
      };
    }),
  );
  const members = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(members.map((member) => member.server.stop()));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }

  const waitHealthy = async (timeoutMs = options.readyTimeoutMs ?? 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (const member of members) {
      if (!member.server.running) continue;
      let last: string;
      for (;;) {
        try {
          const response = await fetch(`${member.monitorUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
          if (response.ok) break;
          last = `${response.status} ${await response.text()}`;
        } catch (error) {
          last = error instanceof Error ? error.message : String(error);
        }
        if (Date.now() > deadline) {
          throw new LauncherError(
            LauncherErrorCode.StartFailed,
            `cluster member ${member.name} not healthy within ${timeoutMs} ms: ${last}`,
          );
        }
        await sleep(100);
      }
    }
  };

  const handle: ClusterHandle = {
    members,
    get urls() {
      return members.map((member) => member.server.url);
    },
    waitHealthy,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
  try {
    await waitHealthy();
  } catch (error) {
    await stop();
    throw error;
  }
  return handle;
}
