/**
 * The systems under test, each started as its own processes. A system exposes one or more HTTP
 * targets (an era, a response mode) that the throughput and latency phases drive.
 */
import { createServer } from 'node:net';
import { DEFAULT_KEY_SCOPES, KeyStore } from '@easyremote/auth';
import { connectMesh } from '@easyremote/mesh';
import { CLI, spawnChild, stopAll, type Child } from '../lib/child.ts';
import type { HttpTarget } from '../lib/http-load.ts';
import {
  initializeSession,
  legacyCallBody,
  legacyHeaders,
  modernBody,
  modernCallBody,
  modernHeaders,
  probeEcho,
} from '../lib/mcp-http.ts';

export interface RunningSystem {
  readonly targets: Readonly<Record<string, HttpTarget>>;
  readonly children: readonly Child[];
  stop(): Promise<void>;
}

async function listening(child: Child): Promise<string> {
  return String((await child.waitFor('bench listening')).url);
}

/** Fills in `expectBody` when the server answers byte-identical bodies to the same request. */
async function target(
  url: string,
  headers: Record<string, string>,
  body: string,
  extra: Partial<HttpTarget> = {},
): Promise<HttpTarget> {
  const expectBody = await probeEcho(url, headers, body);
  return {
    url,
    headers,
    body,
    ...(expectBody !== undefined && extra.bodyFor === undefined ? { expectBody } : {}),
    ...extra,
  };
}

function running(targets: Record<string, HttpTarget>, children: Child[]): RunningSystem {
  return { targets, children, stop: () => stopAll(children) };
}

/**
 * Baseline 1: node:http -> one NATS request -> raw responder. Two HTTP front ends share the
 * responder: the floor proper (a shared reply inbox, no timers) and the same server using nats.js
 * `nc.request()` per call, shown for reference.
 */
export async function startFloor(
  natsUrl: string,
): Promise<RunningSystem & { mux: readonly Child[]; request: readonly Child[]; batched: readonly Child[] }> {
  const responder = spawnChild('floor-responder', ['bench/servers/floor-responder.ts', natsUrl]);
  await responder.waitFor('bench ready');
  const mux = spawnChild('floor-http', ['bench/servers/floor-http.ts', natsUrl, 'bench.floor.echo', 'mux']);
  const viaRequest = spawnChild('floor-http (nc.request)', [
    'bench/servers/floor-http.ts',
    natsUrl,
    'bench.floor.echo',
    'request',
  ]);
  const batched = spawnChild('floor-http (batched)', [
    'bench/servers/floor-http.ts',
    natsUrl,
    'bench.floor.echo',
    'batched',
  ]);
  const [muxUrl, requestUrl, batchedUrl] = await Promise.all([
    listening(mux),
    listening(viaRequest),
    listening(batched),
  ]);
  const targets = {
    call: await target(muxUrl, legacyHeaders(undefined), legacyCallBody()),
    request: await target(requestUrl, legacyHeaders(undefined), legacyCallBody()),
    batched: await target(batchedUrl, legacyHeaders(undefined), legacyCallBody()),
  };
  return {
    ...running(targets, [mux, viaRequest, batched, responder]),
    mux: [mux, responder],
    request: [viaRequest, responder],
    batched: [batched, responder],
  };
}

/** Baseline 2: the SDK's createMcpHandler on fastify, echo inside the HTTP process. */
export async function startSdk(): Promise<RunningSystem> {
  const server = spawnChild('sdk-inprocess', ['bench/servers/sdk-inprocess.ts']);
  const url = await listening(server);
  return running(
    {
      modern: await target(url, modernHeaders('tools/call', 'echo'), modernCallBody()),
      // The SDK's stateless 2025-era fallback answers over SSE (no JSON mode for that leg).
      legacy: await target(url, legacyHeaders(undefined), legacyCallBody()),
    },
    [server],
  );
}

/**
 * The SDK's low-level `Server`, one long-lived instance behind a multiplexing transport (the
 * design issue 14 asked to try for the gateway's MCP layer), with the echo tool in process.
 */
export async function startSdkLongLived(mode: 'server' | 'direct' = 'server'): Promise<RunningSystem> {
  const server = spawnChild(`sdk-long-lived ${mode}`, ['bench/servers/sdk-long-lived.ts', mode]);
  const url = await listening(server);
  return running(
    {
      modern: await target(url, modernHeaders('tools/call', 'echo'), modernCallBody()),
      legacy: await target(
        url,
        { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        legacyCallBody(),
      ),
    },
    [server],
  );
}

/**
 * `default` is what users run: authentication on (the bench presents an API key) and the audit on.
 * `open` is the same gateway with both off (allowed on loopback), to price them.
 */
export type GatewayConfig = 'default' | 'open';

export interface GatewayOptions {
  config?: GatewayConfig;
  env?: Record<string, string>;
  nodeFlags?: string[];
  cpus?: string;
}

/** A started gateway: its MCP URL and the headers that authenticate to it (none when open). */
export interface GatewayProcess {
  child: Child;
  url: string;
  auth: Readonly<Record<string, string>>;
}

/** An API key with the default scopes, stored in the mesh's key bucket as `easyremote keys create` does. */
export async function createApiKey(natsUrl: string, name: string): Promise<string> {
  const nc = await connectMesh({ servers: natsUrl, name: 'bench-keys' });
  try {
    return (await (await KeyStore.open(nc)).create(name, DEFAULT_KEY_SCOPES)).key;
  } finally {
    await nc.drain();
  }
}

/** A toolbox compute node process (the echo tool), as `easyremote node @easyremote/toolbox` runs it. */
export async function startToolboxNode(
  natsUrl: string,
  nodeId = 'bench-toolbox',
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
  cpus?: string,
): Promise<Child> {
  const node = spawnChild(`node ${nodeId}`, [CLI, 'node', '@easyremote/toolbox'], {
    env: { NATS_URL: natsUrl, LOG_LEVEL: 'info', EASYREMOTE_NODE_ID: nodeId, ...env },
    nodeFlags,
    ...(cpus !== undefined ? { cpus } : {}),
  });
  await node.waitFor('node serving');
  return node;
}

/** A port that was free a moment ago on 127.0.0.1 (the gateway is told it, since at LOG_LEVEL=warn it does not announce one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/**
 * Our gateway as a process (`easyremote gateway`, LOG_LEVEL=warn), on a free loopback port, in the
 * default configuration unless told `open`; resolves once /healthz answers.
 */
export async function startGatewayProcess(natsUrl: string, options: GatewayOptions = {}): Promise<GatewayProcess> {
  const config = options.config ?? 'default';
  const auth: Record<string, string> =
    config === 'default' ? { authorization: `Bearer ${await createApiKey(natsUrl, 'bench')}` } : {};
  const port = await freePort();
  const child = spawnChild(`gateway (${config})`, [CLI, 'gateway'], {
    env: {
      NATS_URL: natsUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...(config === 'open' ? { EASYREMOTE_AUTH: 'off', EASYREMOTE_AUDIT: 'off' } : {}),
      ...options.env,
    },
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.process.exitCode !== null)
      throw new Error(`gateway exited at start:\n${child.lines.slice(-15).join('\n')}`);
    const healthy = await fetch(`${base}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`gateway did not answer /healthz on ${base} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, url: `${base}/mcp`, auth };
}

/** Waits until the gateway lists `tool` (the node's advert has reached its registry view). */
export async function waitForTool(
  url: string,
  tool: string,
  auth: Readonly<Record<string, string>> = {},
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...modernHeaders('tools/list'), ...auth },
      body: modernBody('tools/list', {}),
    });
    if ((await response.text()).includes(`"name":"${tool}"`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the gateway at ${url} did not list ${tool} within ${timeoutMs} ms`);
}

/** The HTTP targets of one gateway: a 2025-11-25 session's call and a stateless 2026-07-28 call. */
async function gatewayTargets(gateway: GatewayProcess): Promise<Record<'legacy' | 'modern', HttpTarget>> {
  await waitForTool(gateway.url, 'echo', gateway.auth);
  const sessionId = await initializeSession(gateway.url, 0, gateway.auth);
  return {
    legacy: await target(gateway.url, { ...legacyHeaders(sessionId), ...gateway.auth }, legacyCallBody()),
    modern: await target(gateway.url, { ...modernHeaders('tools/call', 'echo'), ...gateway.auth }, modernCallBody()),
  };
}

/**
 * Our path: one toolbox node process behind two gateway processes, the default configuration and
 * the same gateway with authentication and audit off, so their ratio is what the two cost.
 */
export async function startOurs(natsUrl: string): Promise<
  RunningSystem & {
    gateway: Child;
    open: RunningSystem & { gateway: Child };
    node: Child;
  }
> {
  const node = await startToolboxNode(natsUrl);
  const [main, open] = await Promise.all([
    startGatewayProcess(natsUrl),
    startGatewayProcess(natsUrl, { config: 'open' }),
  ]);
  const [mainTargets, openTargets] = await Promise.all([gatewayTargets(main), gatewayTargets(open)]);
  return {
    ...running(mainTargets, [main.child, node, open.child]),
    children: [main.child, node],
    gateway: main.child,
    open: { ...running(openTargets, [open.child, node]), gateway: open.child },
    node,
  };
}

/**
 * The audit's price alone: one toolbox node behind two default-configuration gateways that differ
 * only in EASYREMOTE_AUDIT, so the ratio of their throughputs is what acknowledging every call's
 * record before answering costs.
 */
export async function startAuditPair(
  natsUrl: string,
): Promise<{ on: RunningSystem; off: RunningSystem; stop(): Promise<void> }> {
  const node = await startToolboxNode(natsUrl, 'bench-audit');
  const [on, off] = await Promise.all([
    startGatewayProcess(natsUrl, { env: { EASYREMOTE_AUDIT: 'on' } }),
    startGatewayProcess(natsUrl, { env: { EASYREMOTE_AUDIT: 'off' } }),
  ]);
  const [onTargets, offTargets] = await Promise.all([gatewayTargets(on), gatewayTargets(off)]);
  return {
    on: running({ modern: onTargets.modern }, [on.child, node]),
    off: running({ modern: offTargets.modern }, [off.child, node]),
    stop: () => stopAll([on.child, off.child, node]),
  };
}

/** Baseline 4: supergateway (stateful Streamable HTTP) in front of a stdio echo server. */
export async function startSupergateway(): Promise<RunningSystem> {
  const stdioCommand = `${JSON.stringify(process.execPath)} bench/servers/echo-stdio.ts`;
  const args = ['--import', './bench/servers/loopback-only.ts', 'node_modules/supergateway/dist/index.js'];
  args.push(
    '--stdio',
    stdioCommand,
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    '0',
    '--logLevel',
    'none',
  );
  const server = spawnChild('supergateway', args);
  const url = `${await listening(server)}/mcp`;
  const sessionId = await initializeSession(url);
  // One session is one stdio child; replies are routed by JSON-RPC id within it, so ids must be unique.
  const template = legacyCallBody('__ID__');
  const bodyFor = (n: number): string => template.replace('"__ID__"', String(n));
  return running({ legacy: await target(url, legacyHeaders(sessionId), legacyCallBody(0), { bodyFor }) }, [server]);
}
