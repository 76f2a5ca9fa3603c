/**
 * Many 2025-era sessions on one gateway: open N sessions (initialize + initialized), then one
 * tools/call in every session, 64 at a time; count what was served and what it cost in memory.
 */
import { closedLoop, LoopTally, type LoopResult } from '../lib/closed-loop.ts';
import { initializeSession, legacyCallBody, legacyHeaders, post } from '../lib/mcp-http.ts';
import { startGatewayProcess, startToolboxNode, waitForTool } from './systems.ts';

export interface SessionsResult {
  sessions: number;
  opened: number;
  initialize: LoopResult;
  calls: LoopResult;
  callsOk: number;
  rssBeforeBytes: number;
  rssAfterOpenBytes: number;
  rssAfterCallsBytes: number;
  /** (RSS after the calls - RSS before) / sessions. Sessions are sealed ids, so this is mostly heap churn. */
  rssPerSessionBytes: number;
}

export async function runSessions(natsUrl: string, sessions: number, concurrency: number): Promise<SessionsResult> {
  const node = await startToolboxNode(natsUrl, 'bench-sessions');
  const { child: gateway, url, auth } = await startGatewayProcess(natsUrl);
  try {
    await waitForTool(url, 'echo', auth);
    // One session and call first, so the lazily loaded code is in before the baseline is read.
    await post(url, { ...legacyHeaders(await initializeSession(url, 0, auth)), ...auth }, legacyCallBody());
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssBeforeBytes = gateway.rss();

    const ids: string[] = [];
    let next = 0;
    const opening = new LoopTally();
    await closedLoop(
      async () => {
        if (next >= sessions) return;
        const n = next++;
        ids.push(await initializeSession(url, n, auth));
      },
      concurrency,
      120,
      opening,
      sessions,
    );
    const rssAfterOpenBytes = gateway.rss();

    let callsOk = 0;
    let cursor = 0;
    const calling = new LoopTally();
    await closedLoop(
      async () => {
        const sessionId = ids[cursor++];
        if (sessionId === undefined) return;
        const reply = await post(url, { ...legacyHeaders(sessionId), ...auth }, legacyCallBody(cursor));
        if (reply.status !== 200 || !reply.body.includes('"structuredContent":{"text":"hello"}'))
          throw new Error(`HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
        callsOk++;
      },
      concurrency,
      120,
      calling,
      ids.length,
    );
    const rssAfterCallsBytes = gateway.rss();
    return {
      sessions,
      opened: ids.length,
      initialize: opening.result(),
      calls: calling.result(),
      callsOk,
      rssBeforeBytes,
      rssAfterOpenBytes,
      rssAfterCallsBytes,
      rssPerSessionBytes: (rssAfterCallsBytes - rssBeforeBytes) / Math.max(1, ids.length),
    };
  } finally {
    await Promise.all([gateway.stop(), node.stop()]);
  }
}
