import { enableWireDeviations, logWireDeviations, natsClientOptionsFromEnv } from '@easyremote/mesh';
import { startTracing } from '@easyremote/runtime';
import { loadGatewayConfig } from './config.js';
import { createLogger } from './logger.js';
import { startGateway, type GatewayHandle } from './start.js';

export interface RunningGateway {
  readonly gateway: GatewayHandle;
  readonly log: (message: string) => void;
  /** Stops listening and leaves the mesh, then flushes traces. */
  close(): Promise<void>;
}

/**
 * A gateway process's body, from its environment: settings checked at start (GW_ERR_CONFIG naming
 * every bad variable), tracing when OTEL_* asks, the logger, the wire deviations, NATS credentials
 * and TLS, then startGateway. The caller owns the process and wires `close` to its signals.
 */
export async function runGateway(env: Readonly<Record<string, string | undefined>>): Promise<RunningGateway> {
  const config = loadGatewayConfig(env);
  const tracing = await startTracing(env, 'easyremote-gateway');
  const logger = createLogger(config.logLevel);
  logWireDeviations(enableWireDeviations(), logger);
  let gateway: GatewayHandle;
  try {
    gateway = await startGateway(config, { logger, tracing: tracing.enabled, nats: natsClientOptionsFromEnv(env) });
  } catch (error) {
    await tracing.shutdown();
    throw error;
  }
  return {
    gateway,
    log: (message) => logger.info(message),
    async close() {
      await gateway.close();
      await tracing.shutdown();
    },
  };
}
