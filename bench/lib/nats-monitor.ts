import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsCounters } from '../scenarios/http-phase.ts';

/**
 * Reads message counters from a nats-server started with `http: "127.0.0.1:-1"`: its ports file
 * (in the launcher's directory) names the monitoring URL. Resolves undefined when there is none.
 */
export function natsMonitor(dir: string, pid: number): () => Promise<NatsCounters | undefined> {
  let base: string | undefined;
  try {
    const ports = JSON.parse(readFileSync(join(dir, `nats-server_${pid}.ports`), 'utf8')) as { monitoring?: string[] };
    base = ports.monitoring?.[0];
  } catch {
    base = undefined;
  }
  return async () => {
    if (base === undefined) return undefined;
    try {
      const varz = (await (await fetch(`${base}/varz`)).json()) as NatsCounters;
      return { in_msgs: varz.in_msgs, out_msgs: varz.out_msgs, in_bytes: varz.in_bytes };
    } catch {
      return undefined;
    }
  };
}
