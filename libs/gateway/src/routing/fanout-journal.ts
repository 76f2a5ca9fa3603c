import type { CallResponse, TaskRef } from '@easyremote/protocol';
import { outcomeOfResponse, type CallOutcome } from '../pipeline/call-pipeline.js';

/** What a node stored of a chunk it ran as a task. */
export interface ChunkState {
  readonly nodeId: string;
  readonly callId: string;
  /** Undefined, or `taskStarted`, while it works; `inputRequired` while it waits; else its outcome. */
  readonly response: CallResponse | undefined;
}

/**
 * Where a fan-out that runs as a durable task keeps its progress, in the tasks bucket (ADR 0024):
 * each chunk runs on its node as a task of its own, whose states that node stores, the first one
 * before it answers, so a replica taking the fan-out over after its runner died keeps the chunks
 * that ended, waits for those still running, and runs only the ones nobody began. No chunk runs
 * twice for the runner's death.
 */
export interface FanoutJournal {
  readonly taskId: string;
  /** This run takes over a fan-out an earlier replica began: chunks are looked up before they run. */
  readonly resumed: boolean;
  /** Every node's stored state of chunk task `chunkTaskId`. */
  statesOf(chunkTaskId: string): Promise<ChunkState[]>;
  /** Resolves once the chunk task ends on its node (or the node goes, or the deadline passes). */
  awaitChunk(
    chunk: { nodeId: string; taskId: string; callId: string },
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<CallOutcome>;
  /** Keeps a node's plan of the fan-out, so a replica taking it over splits it alike. */
  savePlan(plan: readonly unknown[]): Promise<void>;
  /** The plan an earlier run kept, if any. */
  plan(): Promise<unknown[] | undefined>;
}

/** The task id chunk `index` runs as (`whole`: a fan-out small enough to run as one call). */
export function chunkTaskId(taskId: string, index: number | 'whole'): string {
  return `${taskId}-${index === 'whole' ? 'w' : index}`;
}

function isRunning(response: CallResponse | undefined): boolean {
  return response === undefined || (response.ok && !('result' in response));
}

/** Of the states nodes stored of one chunk: a result first, then one still running, then a failure. */
function bestState(states: readonly ChunkState[]): ChunkState | undefined {
  return (
    states.find(({ response }) => response?.ok === true && 'result' in response) ??
    states.find(({ response }) => isRunning(response)) ??
    states[0]
  );
}

/**
 * One attempt at a journaled chunk. On a run that takes over, what an earlier run began is used
 * first: its outcome when it ended, else it is awaited where it runs. Otherwise the chunk is
 * dispatched as its own task (`recordStart`) and awaited through the store. `onCallId` learns the
 * call id the chunk runs under, for cancelling it.
 */
export async function runJournaled(
  journal: FanoutJournal,
  taskId: string,
  options: { lookUp: boolean; signal: AbortSignal; timeoutMs: number; onCallId: (callId: string) => void },
  dispatch: (task: TaskRef) => Promise<CallOutcome>,
): Promise<CallOutcome> {
  const { signal, timeoutMs } = options;
  if (journal.resumed && options.lookUp) {
    const earlier = bestState(await journal.statesOf(taskId));
    if (earlier !== undefined) {
      options.onCallId(earlier.callId);
      if (earlier.response !== undefined && !isRunning(earlier.response))
        return outcomeOfResponse(earlier.response, earlier.nodeId, earlier.callId);
      return journal.awaitChunk({ nodeId: earlier.nodeId, taskId, callId: earlier.callId }, { signal, timeoutMs });
    }
  }
  const outcome = await dispatch({ id: taskId, recordStart: true });
  if (outcome.kind !== 'task') return outcome;
  return journal.awaitChunk({ nodeId: outcome.nodeId, taskId, callId: outcome.callId }, { signal, timeoutMs });
}
