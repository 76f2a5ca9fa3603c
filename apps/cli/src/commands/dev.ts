import { createLogger, loadGatewayConfig, startGateway, type GatewayHandle } from '@easyremote/gateway';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { ComputeNode } from '@easyremote/node-sdk';
import type { Logger } from '@easyremote/protocol';
import { tools as toolboxTools } from '@easyremote/toolbox';
import { onShutdown } from '../shutdown.js';

export const devHelp = `easyremote dev

Runs a complete local mesh in one process: NATS (NATS_URL when set, otherwise its own nats-server with
JetStream on a free port and a temporary store), one gateway (PORT, default 8080) and the toolbox node.
Prints the MCP URL. Ctrl-C stops everything.
`;

export async function runDev(): Promise<void> {
  const logLevel = process.env.LOG_LEVEL ?? 'warn';
  const logger = createLogger(logLevel);
  const log = logger as unknown as Logger;
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch((error: unknown) => log.error({ err: error }, 'stop failed'));
  };
  try {
    let natsUrl = process.env.NATS_URL;
    if (!natsUrl) {
      const nats: NatsServerHandle = await startNats({ path: process.env.PATH, name: 'easyremote-dev' });
      stack.push(() => nats.stop());
      natsUrl = nats.url;
    }
    const config = loadGatewayConfig({ ...process.env, NATS_URL: natsUrl });
    const gateway: GatewayHandle = await startGateway(config, { logger });
    stack.push(() => gateway.close());
    const node = new ComputeNode({ servers: natsUrl, nodeId: 'toolbox', registryBucket: config.registryBucket, logger: log.child({ component: 'toolbox-node' }) });
    node.register(...toolboxTools);
    await node.start();
    stack.push(() => node.stop());
    process.stdout.write(
      [
        'EasyRemote local mesh is up.',
        `  MCP endpoint:  ${gateway.mcpUrl}`,
        `  REST tools:    ${gateway.url}/mcp/tools`,
        `  NATS:          ${natsUrl}`,
        `  Tools:         ${toolboxTools.map((tool) => tool.descriptor.name).join(', ')}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  onShutdown(stopAll, (message) => process.stderr.write(`${message}\n`));
}
