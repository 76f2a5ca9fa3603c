/**
 * The registry at scale: N simulated nodes x T tools heartbeating into the registry bucket, a
 * gateway watching it; tools/list latency through the gateway, how fast a new node becomes visible,
 * and how fast a killed node (a real toolbox node, SIGKILLed) disappears. Runs on its own
 * nats-server so the simulated nodes never leak into the other phases.
 */
import { startNats } from '@easyremote/nats-launcher';
import { connectMesh } from '@easyremote/mesh';
import { encodeJson, REGISTRY_BUCKET, type NodeAdvert } from '@easyremote/protocol';
import { openRegistry } from '@easyremote/registry';
import { spawnChild } from '../lib/child.ts';
import { loadHttp, type LoadResult } from '../lib/http-load.ts';
import { median } from '../lib/stats.ts';
import { initializeSession, legacyHeaders, modernBody, modernHeaders, post } from '../lib/mcp-http.ts';
import { startGatewayProcess, startToolboxNode } from './systems.ts';

export interface RegistryResult {
  nodes: number;
  toolsPerNode: number;
  advertiseMs: number;
  gatewayReadyMs: number;
  listedTools: number;
  /** Pages (tools/list + nextCursor) the full listing takes, and its total size. */
  listPages: number;
  listBytes: number;
  /** Size of the first page, the response the latency figures are for. */
  firstPageBytes: number;
  /** Time to fetch every page, one after another (median of 5 listings). */
  fullListingMs: number;
  toolsListLegacy: LoadResult;
  toolsListModern: LoadResult;
  gatewayRssBytes: number;
  /** Gateway CPU while absorbing the simulated nodes' heartbeats, % of one core. */
  gatewayIdleCpuPercent: number;
  /** From the put of a new node's advert to the first tools/list that shows it. */
  newNodeVisibleMs: number;
  /** Duration of one tools/list poll, i.e. the resolution of the visibility times. */
  pollMs: number;
  killedNodeTtlMs: number;
  /** From SIGKILL of a real node to the first tools/list without its tools. */
  killedNodeGoneMs: number;
  /** From that node's last heartbeat to the first tools/list without its tools (an upper bound of the above). */
  killedNodeGoneSinceLastBeatMsMax: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Listing {
  /** Every page's JSON text, concatenated. */
  text: string;
  pages: number;
  bytes: number;
}

/** The whole tool list, following `nextCursor` page by page (2026-07-28 stateless requests). */
async function listAll(url: string): Promise<Listing> {
  let text = '';
  let pages = 0;
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const { body } = await post(
      url,
      modernHeaders('tools/list'),
      modernBody('tools/list', cursor === undefined ? {} : { cursor }),
    );
    text += body;
    bytes += Buffer.byteLength(body);
    pages++;
    cursor = (JSON.parse(body) as { result?: { nextCursor?: string } }).result?.nextCursor;
  } while (cursor !== undefined && pages < 1_000);
  return { text, pages, bytes };
}

/** Polls the full listing until `predicate` holds; returns elapsed ms since `since` and the mean poll time. */
async function until(
  url: string,
  predicate: (text: string) => boolean,
  since: number,
  timeoutMs: number,
): Promise<{ ms: number; pollMs: number }> {
  let polls = 0;
  const pollStart = performance.now();
  while (performance.now() - since < timeoutMs) {
    const { text } = await listAll(url);
    polls++;
    if (predicate(text)) return { ms: performance.now() - since, pollMs: (performance.now() - pollStart) / polls };
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

export async function runRegistryScale(
  nodes: number,
  toolsPerNode: number,
  listRequests: number,
): Promise<RegistryResult> {
  const nats = await startNats({ path: process.env.PATH });
  const heartbeatMs = 2_000;
  const fake = spawnChild('fake-nodes', [
    'bench/servers/fake-nodes.ts',
    nats.url,
    REGISTRY_BUCKET,
    String(nodes),
    String(toolsPerNode),
    String(heartbeatMs),
  ]);
  let gateway: Awaited<ReturnType<typeof startGatewayProcess>> | undefined;
  let doomed: Awaited<ReturnType<typeof startToolboxNode>> | undefined;
  try {
    const ready = await fake.waitFor('bench ready', 120_000);
    const spawnAt = performance.now();
    // Listing at scale, not authentication, is measured here.
    gateway = await startGatewayProcess(nats.url, { config: 'open' });
    const gatewayReadyMs = performance.now() - spawnAt;
    const url = gateway.url;
    const listing = await listAll(url);
    const listedTools = (listing.text.match(/"name":"sim_/g) ?? []).length;
    const firstPage = await post(url, modernHeaders('tools/list'), modernBody('tools/list', {}));
    const fullListings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await listAll(url);
      fullListings.push(performance.now() - t);
    }

    const cpu0 = gateway.child.cpuMs();
    const t0 = performance.now();
    await sleep(3_000);
    const gatewayIdleCpuPercent = (100 * (gateway.child.cpuMs() - cpu0)) / (performance.now() - t0);

    const sessionId = await initializeSession(url);
    const legacyList = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    const toolsListLegacy = await loadHttp(
      { url, headers: legacyHeaders(sessionId), body: legacyList },
      { connections: 1, durationSec: 0, warmupSec: 0, amount: listRequests },
    );
    const toolsListModern = await loadHttp(
      { url, headers: modernHeaders('tools/list'), body: modernBody('tools/list', {}) },
      { connections: 1, durationSec: 0, warmupSec: 0, amount: listRequests },
    );
    const gatewayRssBytes = gateway.child.rss();

    // A new node: one advert put straight into the bucket, timed from just before the put.
    const nc = await connectMesh({ servers: nats.url, name: 'bench-registry' });
    const kv = await openRegistry(nc);
    const advert: NodeAdvert = {
      version: 1,
      nodeId: 'sim-new',
      instanceId: 'sim-new-bench',
      startedAt: Date.now(),
      heartbeatAt: Date.now(),
      ttlMs: 60_000,
      tools: [{ name: 'sim_new_tool', inputSchema: { type: 'object' } }],
      capabilities: { cpus: 1, memoryBytes: 2 ** 30, platform: 'linux', labels: {} },
      load: { inFlight: 0, maxConcurrency: 1 },
    };
    const putAt = performance.now();
    await kv.put('sim-new', encodeJson(advert));
    const visible = await until(url, (text) => text.includes('"sim_new_tool"'), putAt, 10_000);
    await nc.close();

    // A killed node: a real toolbox node with a 1 s heartbeat (TTL 3 s), SIGKILLed once listed.
    const beatMs = 1_000;
    doomed = await startToolboxNode(nats.url, 'bench-doomed', { EASYREMOTE_HEARTBEAT_MS: String(beatMs) });
    await until(url, (text) => text.includes('"name":"echo"'), performance.now(), 10_000);
    const killAt = performance.now();
    doomed.process.kill('SIGKILL');
    const gone = await until(url, (text) => !text.includes('"name":"echo"'), killAt, 20_000);

    return {
      nodes,
      toolsPerNode,
      advertiseMs: Number(ready.advertiseMs),
      gatewayReadyMs,
      listedTools,
      listPages: listing.pages,
      listBytes: listing.bytes,
      firstPageBytes: Buffer.byteLength(firstPage.body),
      fullListingMs: median(fullListings),
      toolsListLegacy,
      toolsListModern,
      gatewayRssBytes,
      gatewayIdleCpuPercent,
      newNodeVisibleMs: visible.ms,
      pollMs: (visible.pollMs + gone.pollMs) / 2,
      killedNodeTtlMs: 3 * beatMs,
      killedNodeGoneMs: gone.ms,
      killedNodeGoneSinceLastBeatMsMax: gone.ms + beatMs,
    };
  } finally {
    await Promise.all([fake.stop(), gateway?.child.stop(), doomed?.stop()]);
    await nats.stop();
  }
}
