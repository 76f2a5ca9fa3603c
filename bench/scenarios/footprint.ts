/**
 * What small machines care about: how fast a node serving a small tools module is up and how much
 * memory it holds, an idle gateway's RSS, and what open notification streams cost a gateway.
 * Every process is fresh; each start is measured from the moment it is spawned.
 */
import { request, type ClientRequest } from 'node:http';
import { CLI, spawnChild, stopAll, type Child } from '../lib/child.ts';
import { initializeSession } from '../lib/mcp-http.ts';
import { median } from '../lib/stats.ts';
import { startGatewayProcess, startToolboxNode, waitForTool } from './systems.ts';

/** The tools module the README's "Write your own tool node" shows: two small tools, TypeBox schemas. */
export const SMALL_MODULE = 'docs/examples/text-tools.ts';

export interface FootprintResult {
  smallNode: {
    module: string;
    starts: number;
    /** Spawn to the node's `node serving` line (subscribed and advertised), median. */
    serveMs: number;
    serveMsAll: number[];
    /** RSS one second after serving, median. */
    idleRssBytes: number;
  };
  gatewayIdleRssBytes: number;
  streams: {
    opened: number;
    rssBeforeBytes: number;
    rssAfterBytes: number;
    perThousandBytes: number;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startSmallNode(natsUrl: string, n: number): Promise<{ serveMs: number; rss: number }> {
  const spawnedAt = performance.now();
  const child = spawnChild(`small node ${n}`, [CLI, 'node', SMALL_MODULE], {
    env: { NATS_URL: natsUrl, LOG_LEVEL: 'info', EASYREMOTE_NODE_ID: `bench-small-${n}` },
  });
  try {
    await child.waitFor('node serving');
    const serveMs = performance.now() - spawnedAt;
    await sleep(1_000);
    return { serveMs, rss: child.rss() };
  } finally {
    await child.stop();
  }
}

/** Opens one 2025-era GET notification stream; resolves once its response headers arrived. */
function openStream(url: string, headers: Record<string, string>): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`GET stream answered HTTP ${response.statusCode}`));
        return;
      }
      response.on('data', () => undefined);
      resolve(req);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measureStreams(
  natsUrl: string,
  count: number,
): Promise<{ idle: number; streams: FootprintResult['streams'] }> {
  const node = await startToolboxNode(natsUrl, 'bench-footprint');
  const gateway = await startGatewayProcess(natsUrl, { env: { EASYREMOTE_MAX_STREAMS: String(count + 10) } });
  const open: ClientRequest[] = [];
  const children: Child[] = [gateway.child, node];
  try {
    await waitForTool(gateway.url, 'echo', gateway.auth);
    await sleep(1_000);
    const idle = gateway.child.rss();
    const sessionId = await initializeSession(gateway.url, 0, gateway.auth);
    const headers = {
      accept: 'text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      'mcp-session-id': sessionId,
      ...gateway.auth,
    };
    // One first, so code loaded on the first stream does not count as the streams' cost.
    open.push(await openStream(gateway.url, headers));
    await sleep(300);
    const rssBeforeBytes = gateway.child.rss();
    for (let i = 1; i < count; i += 50) {
      const batch = Array.from({ length: Math.min(50, count - i) }, () => openStream(gateway.url, headers));
      open.push(...(await Promise.all(batch)));
    }
    await sleep(1_000);
    const rssAfterBytes = gateway.child.rss();
    const opened = open.length;
    return {
      idle,
      streams: {
        opened,
        rssBeforeBytes,
        rssAfterBytes,
        perThousandBytes: ((rssAfterBytes - rssBeforeBytes) * 1000) / Math.max(1, opened - 1),
      },
    };
  } finally {
    for (const req of open) req.destroy();
    await stopAll(children);
  }
}

export async function runFootprint(natsUrl: string, options: { starts: number; streams: number }) {
  const runs: Array<{ serveMs: number; rss: number }> = [];
  for (let n = 0; n < options.starts; n++) runs.push(await startSmallNode(natsUrl, n));
  const { idle, streams } = await measureStreams(natsUrl, options.streams);
  const result: FootprintResult = {
    smallNode: {
      module: SMALL_MODULE,
      starts: runs.length,
      serveMs: median(runs.map((r) => r.serveMs)),
      serveMsAll: runs.map((r) => Math.round(r.serveMs)),
      idleRssBytes: median(runs.map((r) => r.rss)),
    },
    gatewayIdleRssBytes: idle,
    streams,
  };
  return result;
}
