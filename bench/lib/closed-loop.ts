import { Samples, type LatencySummary } from './stats.ts';

export interface LoopResult {
  callsPerSec: number;
  calls: number;
  errors: number;
  durationSec: number;
  latencyMs: LatencySummary;
  /** The first error seen, for the report. */
  firstError?: string;
}

/** Accumulates interleaved rounds of one contender (ABBA ordering cancels a linear drift). */
export class LoopTally {
  readonly samples = new Samples();
  calls = 0;
  errors = 0;
  seconds = 0;
  firstError: string | undefined;

  result(): LoopResult {
    return {
      callsPerSec: this.calls / this.seconds,
      calls: this.calls,
      errors: this.errors,
      durationSec: this.seconds,
      latencyMs: this.samples.summary(),
      ...(this.firstError !== undefined ? { firstError: this.firstError } : {}),
    };
  }
}

/**
 * `concurrency` callers, each awaiting one call after another, for `durationSec` (and at most
 * `maxCalls` calls in total). A call that throws counts as an error and its caller goes on.
 * Without a tally the round is a warmup and nothing is recorded.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  concurrency: number,
  durationSec: number,
  tally?: LoopTally,
  maxCalls = 5_000_000,
): Promise<void> {
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  let issued = 0;
  const caller = async (): Promise<void> => {
    while (issued < maxCalls && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      try {
        await call();
        if (tally) {
          tally.samples.push(performance.now() - t0);
          tally.calls++;
        }
      } catch (error) {
        if (tally) {
          tally.errors++;
          tally.firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  if (tally) tally.seconds += (performance.now() - started) / 1000;
}
