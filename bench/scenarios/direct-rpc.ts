/**
 * Baseline 3: the direct NATS call path (`RpcClient` + `invokeTool`, what `remote()` builds on)
 * against Moleculer's NATS transporter, both calling an echo on a responder process over the same
 * nats-server, driven in the bench process by 64 concurrent callers.
 */
import { randomUUID } from 'node:crypto';
import { connectMesh, enableWireDeviations, invokeTool, RpcClient } from '@easyremote/mesh';
import { toolSubject } from '@easyremote/protocol';
import { ServiceBroker } from 'moleculer';
import { spawnChild } from '../lib/child.ts';
import { closedLoop, LoopTally, type LoopResult } from '../lib/closed-loop.ts';
import { startToolboxNode } from './systems.ts';

export interface DirectResult {
  ours: LoopResult;
  moleculer: LoopResult;
  nodeRssIdleBytes: number;
}

export async function runDirect(
  natsUrl: string,
  concurrency: number,
  durationSec: number,
  warmupSec: number,
): Promise<DirectResult> {
  const node = await startToolboxNode(natsUrl, 'bench-direct');
  const echo = spawnChild('moleculer-echo', ['bench/servers/moleculer-echo.ts', natsUrl]);
  await echo.waitFor('bench ready');
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const nodeRssIdleBytes = node.rss();

    // The bench process calls like a gateway does: with the wire deviations on.
    enableWireDeviations();
    const nc = await connectMesh({ servers: natsUrl, name: 'bench-direct' });
    const rpc = new RpcClient(nc);
    const subject = toolSubject('echo');
    const oursCall = async (): Promise<void> => {
      const { response } = await invokeTool(
        rpc,
        subject,
        { tool: 'echo', arguments: { text: 'hello' } },
        { timeoutMs: 5_000, callId: randomUUID() },
      );
      const structured = response.ok && 'result' in response ? response.result.structuredContent : undefined;
      if ((structured as { text?: string } | undefined)?.text !== 'hello') {
        throw new Error(`bad echo reply ${JSON.stringify(response).slice(0, 200)}`);
      }
    };
    const broker = new ServiceBroker({
      nodeID: 'bench-moleculer-caller',
      transporter: { type: 'NATS', options: { url: natsUrl } },
      logger: false,
    });
    await broker.start();
    await broker.waitForServices('echo', 10_000);
    const moleculerCall = async (): Promise<void> => {
      const reply = (await broker.call('echo.echo', { text: 'hello' })) as { text?: string };
      if (reply?.text !== 'hello') throw new Error(`bad echo reply ${JSON.stringify(reply)}`);
    };

    await closedLoop(oursCall, concurrency, warmupSec);
    await closedLoop(moleculerCall, concurrency, warmupSec);
    // ABBA: each contender gets half the time before and half after the other.
    const ours = new LoopTally();
    const moleculer = new LoopTally();
    const half = durationSec / 2;
    await closedLoop(oursCall, concurrency, half, ours);
    await closedLoop(moleculerCall, concurrency, half, moleculer);
    await closedLoop(moleculerCall, concurrency, half, moleculer);
    await closedLoop(oursCall, concurrency, half, ours);
    await broker.stop();
    rpc.close();
    await nc.drain();
    return { ours: ours.result(), moleculer: moleculer.result(), nodeRssIdleBytes };
  } finally {
    await Promise.all([node.stop(), echo.stop()]);
  }
}
