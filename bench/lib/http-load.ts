import autocannon from 'autocannon';
import { Samples, type LatencySummary } from './stats.ts';

export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * Builds the body of each request (e.g. a unique JSON-RPC id for servers that route replies by
   * id within one session). Costs the load generator a little, so only used where needed.
   */
  bodyFor?: (n: number) => string;
  /** When set, every response body must equal it (counted as a mismatch otherwise). */
  expectBody?: string;
}

export interface LoadOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Stop after this many requests instead of after the duration. */
  amount?: number;
  /** Accumulate latencies here (to merge interleaved rounds); the summary then covers them all. */
  samples?: Samples;
}

export interface LoadResult {
  requestsPerSec: number;
  requests: number;
  durationSec: number;
  latencyMs: LatencySummary;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}

function run(
  target: HttpTarget,
  connections: number,
  options: { durationSec?: number; amount?: number },
  samples?: Samples,
): Promise<autocannon.Result> {
  let n = 0;
  const bodyFor = target.bodyFor;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        connections,
        pipelining: 1,
        timeout: 10,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSec ?? 1 }),
        ...(target.expectBody !== undefined ? { expectBody: target.expectBody } : {}),
        ...(bodyFor
          ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: bodyFor(++n) }) }] }
          : {}),
      },
      (error, result) => (error ? reject(error as Error) : resolve(result)),
    );
    if (samples) {
      // autocannon's own histogram has 1 ms resolution; its response event carries the exact time.
      instance.on('response', (_client, _status, _bytes, responseTimeMs) => samples.push(responseTimeMs));
    }
  });
}

/** Warms up, then drives `connections` keep-alive connections (pipelining 1) for a fixed time. */
export async function loadHttp(target: HttpTarget, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSec > 0) await run(target, options.connections, { durationSec: options.warmupSec });
  const samples = options.samples ?? new Samples();
  const started = performance.now();
  const result = await run(
    target,
    options.connections,
    options.amount !== undefined ? { amount: options.amount } : { durationSec: options.durationSec },
    samples,
  );
  const durationSec = (performance.now() - started) / 1000;
  const completed = result['2xx'] + result.non2xx;
  return {
    // Goodput: a 2xx whose body was wrong (a mismatch) is not a served call.
    requestsPerSec: Math.max(0, result['2xx'] - result.mismatches) / durationSec,
    requests: completed,
    durationSec,
    latencyMs: samples.summary(),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
  };
}
