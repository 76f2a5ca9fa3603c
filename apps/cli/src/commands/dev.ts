import { createLogger, loadGatewayConfig, startGateway, type GatewayHandle } from '@easyremote/gateway';
import { onShutdown, startTracing } from '@easyremote/runtime';
import { DEFAULT_KEY_SCOPES, KeyStore, Scope } from '@easyremote/auth';
import {
  connectMesh,
  enableWireDeviations,
  logWireDeviations,
  natsClientOptionsFromEnv,
  type NatsClientOptions,
} from '@easyremote/mesh';
import { fileURLToPath } from 'node:url';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { ComputeNode } from '@easyremote/node-sdk';
import type { Logger } from '@easyremote/protocol';
import { createToolbox } from '@easyremote/toolbox';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { devStatePath, removeDevState, writeDevState } from '../dev-state.js';

export const devHelp = `easyremote dev

Runs a complete local mesh in one process: NATS (NATS_URL when set, otherwise its own nats-server with
JetStream on a free port and a temporary store), one gateway (PORT, default 8080) and the toolbox node.
With NATS_URL, every connection uses the gateway's NATS credentials and TLS (NATS_USER/NATS_PASSWORD,
NATS_TOKEN, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX).
Prints the MCP URL. Ctrl-C stops everything.
While it runs, a state file (EASYREMOTE_STATE_FILE, default $XDG_RUNTIME_DIR/easyremote/dev.json or
~/.cache/easyremote/dev.json; mode 0600) holds its NATS URL, gateway URL and key, so \`easyremote node\`,
\`data\`, \`keys\`, \`audit\`, \`grants\` and \`report\` find this mesh without NATS_URL; it is removed on exit.
The toolbox reads local data sets (parallel_data_processing's dataset_path) from EASYREMOTE_DATA_DIR,
default ~/.cache/easyremote/data, created if missing and printed in the banner.
Authentication is on: a fresh API key (all scopes, admin included) is created and printed with a
desktop-client config that uses it. EASYREMOTE_AUTH=off turns it off (loopback only).
`;

async function createDevKey(
  natsUrl: string,
  nats: NatsClientOptions,
  bucket: string,
  replicas: number,
): Promise<string> {
  const nc = await connectMesh({ servers: natsUrl.split(','), name: 'easyremote-dev-keys', ...nats });
  try {
    const store = await KeyStore.open(nc, { bucket, replicas });
    return (await store.create('easyremote dev', [...DEFAULT_KEY_SCOPES, Scope.Admin])).key;
  } finally {
    await nc.close();
  }
}

function desktopConfig(gatewayUrl: string, apiKey: string): string {
  const bridge = fileURLToPath(new URL('../../../bridge/bin/easyremote-mcp.js', import.meta.url));
  const config = {
    mcpServers: {
      easyremote: {
        command: 'node',
        args: [bridge],
        env: { EASYREMOTE_GATEWAY: gatewayUrl, EASYREMOTE_API_KEY: apiKey },
      },
    },
  };
  return JSON.stringify(config, null, 2)
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

export async function runDev(): Promise<void> {
  const logLevel = process.env.LOG_LEVEL ?? 'warn';
  const logger = createLogger(logLevel);
  const log = logger as unknown as Logger;
  logWireDeviations(enableWireDeviations(), logger);
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stack.reverse())
      await stop().catch((error: unknown) => log.error({ err: error }, 'stop failed'));
  };
  const tracing = await startTracing(process.env, 'easyremote-dev');
  stack.push(() => tracing.shutdown());
  try {
    let natsUrl = process.env.NATS_URL;
    // With NATS_URL, the same credentials and TLS the gateway would use (NATS_USER, NATS_CREDS, NATS_CA, ...);
    // the server dev starts itself needs none.
    const nats: NatsClientOptions = natsUrl ? natsClientOptionsFromEnv(process.env) : {};
    if (!natsUrl) {
      const nats: NatsServerHandle = await startNats({
        path: process.env.PATH,
        name: 'easyremote-dev',
        detached: true,
      });
      stack.push(() => nats.stop());
      natsUrl = nats.url;
      process.stderr.write(`easyremote dev: NATS ${natsUrl} (its own nats-server on a free port)\n`);
    } else {
      process.stderr.write(`easyremote dev: NATS ${natsUrl} (from NATS_URL)\n`);
    }
    const dataDir =
      process.env.EASYREMOTE_DATA_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'easyremote', 'data');
    mkdirSync(dataDir, { recursive: true });
    const config = loadGatewayConfig({ ...process.env, NATS_URL: natsUrl });
    // Secure by default: a fresh key exists before the gateway starts, so it is valid from the first request.
    const apiKey =
      config.auth === 'on' ? await createDevKey(natsUrl, nats, config.keysBucket, config.kvReplicas) : undefined;
    const gateway: GatewayHandle = await startGateway(config, { logger, tracing: tracing.enabled, nats });
    stack.push(() => gateway.close());
    // A dev mesh has no GPU: let the image tool use its procedural renderer on the CPU.
    const toolbox = createToolbox({
      EASYREMOTE_IMAGE_ALLOW_CPU: '1',
      ...process.env,
      NATS_URL: natsUrl,
      EASYREMOTE_DATA_DIR: dataDir,
    });
    stack.push(() => toolbox.close());
    const toolboxTools = toolbox.tools;
    const node = new ComputeNode({
      servers: natsUrl.split(','),
      nodeId: 'toolbox',
      // One process, one NATS user: the toolbox node connects as the gateway does.
      mesh: nats,
      registryBucket: config.registryBucket,
      models: [...toolbox.models],
      logger: log.child({ component: 'toolbox-node' }),
    });
    node.register(...toolboxTools);
    await node.start();
    stack.push(() => node.stop());
    const statePath = devStatePath(process.env);
    writeDevState(statePath, {
      pid: process.pid,
      natsUrl,
      gatewayUrl: gateway.url,
      mcpUrl: gateway.mcpUrl,
      ...(apiKey ? { apiKey } : {}),
      dataDir,
      startedAt: new Date().toISOString(),
    });
    stack.push(async () => removeDevState(statePath));
    process.stdout.write(
      [
        'EasyRemote local mesh is up.',
        `  MCP endpoint:  ${gateway.mcpUrl}`,
        `  REST tools:    ${gateway.url}/mcp/tools`,
        `  Dashboard:     ${gateway.url}/dashboard${apiKey ? `#key=${apiKey}` : ''}`,
        `  NATS:          ${natsUrl}`,
        `  Data sets:     ${dataDir} (dataset_path files)`,
        `  State file:    ${statePath} (other easyremote commands find this mesh through it)`,
        `  Tools:         ${toolboxTools.map((tool) => tool.descriptor.name).join(', ')}`,
        ...(apiKey
          ? [
              `  API key:       ${apiKey}`,
              '  Desktop client config (claude_desktop_config.json):',
              desktopConfig(gateway.url, apiKey),
            ]
          : ['  Authentication is OFF (EASYREMOTE_AUTH=off).']),
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
