/** One call of the load: resolves when it succeeded, throws (any error) when it failed. */
export type LoadCall = (worker: number, signal: AbortSignal) => Promise<void>;

export interface LoadOptions {
  /** Callers running at once, each one call after another. */
  concurrency: number;
  /** How long callers keep starting calls. */
  durationMs: number;
  /** A call that has not settled after this long counts as hanging (it is aborted and abandoned). */
  hangAfterMs: number;
  call: LoadCall;
}

export interface LoadReport {
  total: number;
  ok: number;
  failed: number;
  /** Calls that neither succeeded nor failed within hangAfterMs. Must be 0. */
  hanging: number;
  errorRate: number;
  /** Failure messages (digits as N, first 160 characters) and how often each came. */
  failures: Record<string, number>;
  /** When failures happened, in ms after the load started: shows the window of a disruption. */
  failureWindowMs: [number, number] | undefined;
  maxLatencyMs: number;
  callsPerSecond: number;
}

const HANG = Symbol('hang');

/**
 * A steady, bounded call load: `concurrency` callers for `durationMs`, counting every outcome. A call
 * either settles (success or a clear error) or counts as hanging; nothing is retried, so the error
 * rate is what a client without retries would see.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const started = Date.now();
  const stopAt = started + options.durationMs;
  const report = { total: 0, ok: 0, failed: 0, hanging: 0, maxLatencyMs: 0 };
  const failures: Record<string, number> = {};
  let firstFailure: number | undefined;
  let lastFailure: number | undefined;

  const worker = async (index: number): Promise<void> => {
    while (Date.now() < stopAt) {
      const controller = new AbortController();
      const callStarted = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<typeof HANG>((resolve) => {
        timer = setTimeout(() => resolve(HANG), options.hangAfterMs);
      });
      report.total++;
      try {
        const outcome = await Promise.race([options.call(index, controller.signal), hang]);
        if (outcome === HANG) {
          report.hanging++;
          controller.abort(new Error('hanging'));
        } else {
          report.ok++;
        }
      } catch (error) {
        report.failed++;
        // Numbers (ms, counts, ids) vary per call; grouping without them keeps the report short.
        const message = (error instanceof Error ? error.message : String(error)).replace(/\d+/g, 'N').slice(0, 160);
        failures[message] = (failures[message] ?? 0) + 1;
        const at = Date.now() - started;
        firstFailure ??= at;
        lastFailure = at;
      } finally {
        clearTimeout(timer);
      }
      report.maxLatencyMs = Math.max(report.maxLatencyMs, Date.now() - callStarted);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  const elapsed = Date.now() - started;
  return {
    ...report,
    errorRate: report.total === 0 ? 0 : (report.failed + report.hanging) / report.total,
    failures,
    failureWindowMs: firstFailure === undefined ? undefined : [firstFailure, lastFailure ?? firstFailure],
    callsPerSecond: Math.round((report.total / elapsed) * 1000),
  };
}

/** One line for the test log: what an operator would want to know about the run. */
export function describeLoad(name: string, report: LoadReport): string {
  const window = report.failureWindowMs
    ? `, failures between ${report.failureWindowMs[0]} and ${report.failureWindowMs[1]} ms`
    : '';
  return (
    `${name}: ${report.total} calls (${report.callsPerSecond}/s), ${report.ok} ok, ${report.failed} failed, ${report.hanging} hanging, ` +
    `error rate ${(report.errorRate * 100).toFixed(3)}%, slowest ${report.maxLatencyMs} ms${window}` +
    (report.failed > 0 ? `\n  failures: ${JSON.stringify(report.failures)}` : '')
  );
}
