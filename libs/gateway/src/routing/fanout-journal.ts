import type { CallResponse, TaskRef, WireError } from '@easyremote/protocol';
import { GatewayErrorCode } from '../errors.js';
import { failedOutcome, outcomeOfResponse, type CallOutcome } from '../pipeline/call-pipeline.js';

/** What a node stored of a chunk it ran as a task. */
export interface ChunkState {
  readonly nodeId: string;
  readonly callId: string;
  /** Undefined, or `taskStarted`, while it works; `inputRequired` while it waits; else its outcome. */
  readonly response: CallResponse | undefined;
}

/** What a fan-out task's first run keeps before any chunk runs: how it split, and the plan it split by. */
export interface JournalHeader {
  readonly chunks: number;
  readonly plan?: readonly unknown[] | undefined;
}

/**
 * Where a fan-out that runs as a durable task keeps its progress, in the tasks bucket (ADR 0024):
 * each chunk runs on its node as a task of its own, whose states that node stores, the first one
 * before it answers, so a replica taking the fan-out over after its runner died keeps the chunks
 * that ended, waits for those still running, and runs only the ones nobody began. Chunk task ids
 * derive from a secret salt in the journal's header, which nodes cannot read: a node knows its own
 * chunk's id, never another's.
 */
export interface FanoutJournal {
  readonly taskId: string;
  /** This run takes over a fan-out an earlier replica began: chunks are looked up before they run. */
  readonly resumed: boolean;
  /** The header an earlier run wrote (a run that takes over), adopting its salt; undefined if none. */
  kept(): Promise<JournalHeader | undefined>;
  /** Writes the header (a new salt) before any chunk runs; rejects when it cannot be stored. */
  begin(header: JournalHeader): Promise<void>;
  /** The task id chunk `index` runs as (`whole`: a fan-out small enough to run as one call). */
  chunkTaskId(index: number | 'whole'): string;
  /** False once this replica may no longer start work (it lost its heartbeat: another may take over). */
  mayDispatch(): boolean;
  /** Every node's stored state of chunk task `chunkTaskId`. */
  statesOf(chunkTaskId: string): Promise<ChunkState[]>;
  /** Resolves once the chunk task ends on its node (or the node goes, or the deadline passes). */
  awaitChunk(
    chunk: { nodeId: string; taskId: string; callId: string },
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<CallOutcome>;
}

/**
 * Opens the journal for a fan-out split into `count` chunks: a run that takes over checks the split
 * is the one begun (a tool redeployed with another chunk size would mix chunks up), a first run
 * writes the header. Resolves with the error that stops the fan-out, if any.
 */
export async function openJournal(
  journal: FanoutJournal,
  tool: string,
  header: JournalHeader,
): Promise<WireError | undefined> {
  try {
    const kept = await journal.kept();
    if (kept === undefined) await journal.begin(header);
    else if (kept.chunks !== header.chunks)
      return {
        code: GatewayErrorCode.FanoutFailed,
        message: `The fan-out of ${tool} splits into ${header.chunks} chunks now, not the ${kept.chunks} it began with`,
      };
    return undefined;
  } catch (error) {
    return {
      code: GatewayErrorCode.Internal,
      message: `The fan-out of ${tool} could not keep its progress: ${(error as Error).message}`,
    };
  }
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
    const states = await journal.statesOf(taskId);
    const earlier = bestState(states);
    if (earlier !== undefined) {
      options.onCallId(earlier.callId);
      // Every node that stored a state ran it: those runs count against the chunk's attempts.
      const attempts = states.length;
      if (earlier.response !== undefined && !isRunning(earlier.response))
        return { ...outcomeOfResponse(earlier.response, earlier.nodeId, earlier.callId), attempts };
      const awaited = await journal.awaitChunk(
        { nodeId: earlier.nodeId, taskId, callId: earlier.callId },
        { signal, timeoutMs },
      );
      return { ...awaited, attempts };
    }
  }
  if (!journal.mayDispatch())
    return failedOutcome(taskId, GatewayErrorCode.Cancelled, 'this replica handed the fan-out over');
  const outcome = await dispatch({ id: taskId, recordStart: true });
  if (outcome.kind !== 'task') return outcome;
  const awaited = await journal.awaitChunk(
    { nodeId: outcome.nodeId, taskId, callId: outcome.callId },
    { signal, timeoutMs },
  );
  return { ...awaited, attempts: outcome.attempts };
}
