import { WireErrorCode, type CallResponse, type InputRequest, type NodeRpcReply } from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';
import { sendReply, type ReplyTarget } from './message-bodies.js';
import type { RunningCalls } from './running-calls.js';
import { failure } from './wire-failure.js';

type Response = CallResponse | NodeRpcReply;

interface Waiter {
  readonly request: InputRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/** What a session needs of its node: where replies go, and the table of running requests it joins and leaves. */
export interface SessionHost extends ReplyTarget {
  readonly calls: RunningCalls<CallSession>;
}

/** Where a task call's states go once it has started (the node's TaskStateWriter, bound to one task). */
export interface TaskSink {
  readonly id: string;
  /** Store the started state before answering `taskStarted` (a fan-out's chunk: see TaskRef). */
  readonly recordStart?: boolean | undefined;
  /** Stores state number `seq`: a response, or undefined for "working again" after input; resolves with whether it was stored. */
  write(seq: number, response: CallResponse | undefined): Promise<boolean>;
}

const TASK_STARTED: CallResponse = { ok: true, taskStarted: true };

/**
 * One request on this node from its arrival to its last reply. Every reply goes to the *current
 * leg*: the NATS message whose sender is waiting — first the request itself, then, for a 2026-era
 * call that asked its client for input, each resume (`nodes.<id>.resume`). A leg is answered
 * exactly once: with the outcome, or with `inputRequired` while the handler stays parked here,
 * keeping its concurrency slot, until a resume brings the answers or the deadline passes.
 *
 * A call that runs as a task answers its leg with `taskStarted` when the task starts (at once, or
 * when the handler calls `ctx.startTask()`); from then on every state — input wanted, working again,
 * the outcome — is written to the task store instead, and a resume is answered with `taskStarted`
 * as its acknowledgement.
 */
export class CallSession {
  readonly callId: string;
  readonly controller = new AbortController();
  readonly #runtime: SessionHost;
  readonly #deadline: number;
  #leg: Msg | undefined;
  /** The outcome, when the handler finished while no leg was open; the next resume receives it. */
  #held: Response | undefined;
  #holdTimer: NodeJS.Timeout | undefined;
  /** Input requests not sent yet (no leg open, or batched until the end of this tick). Made on first use, like #waiting. */
  #outbox: Map<string, InputRequest> | undefined;
  /** Input requests the handler is waiting on, by key. */
  #waiting: Map<string, Waiter> | undefined;
  /** Whether #onAbort listens: only while something waits on the session (input requests, a held outcome). */
  #listening = false;
  #inputCount = 0;
  #flushQueued = false;
  #ended = false;
  readonly #task: TaskSink | undefined;
  #taskStarted = false;
  #taskSeq = 0;
  /** The task's writes, in order: a later state never overtakes an earlier one. */
  #taskWrites: Promise<void> = Promise.resolve();

  /** Whether resumes reach this request: tool calls, resource reads and prompts of 2026-era clients. */
  readonly resumable: boolean;

  constructor(
    runtime: SessionHost,
    msg: Msg,
    callId: string,
    deadline: number,
    resumable = false,
    task?: TaskSink | undefined,
  ) {
    this.resumable = resumable;
    this.#task = task;
    this.#runtime = runtime;
    this.#leg = msg;
    this.callId = callId;
    this.#deadline = deadline;
    runtime.calls.join(this);
  }

  /**
   * Asks the client for input the 2026 way: the request goes out as `inputRequired` on the current
   * leg (requests made in the same tick share one reply) and resolves with the client's bare result
   * when a resume carries it.
   */
  requestInput(request: InputRequest, key = this.#nextKey()): Promise<unknown> {
    if (this.#ended) return Promise.reject(new Error('the call has ended'));
    if (this.#waiting?.has(key))
      return Promise.reject(
        new TypeError(`input key ${JSON.stringify(key)} already names a request the call waits on`),
      );
    this.#listen();
    const waiting = (this.#waiting ??= new Map());
    const outbox = (this.#outbox ??= new Map());
    return new Promise<unknown>((resolve, reject) => {
      waiting.set(key, { request, resolve, reject });
      outbox.set(key, request);
      this.#queueFlush();
    });
  }

  /** The task this call runs as, for `ctx.task` and `ctx.startTask()`; undefined for a plain call. */
  get task(): { readonly id: string; readonly started: boolean; start(): void } | undefined {
    const task = this.#task;
    if (task === undefined) return undefined;
    // Bound here, so the handler's context reads the live state without holding the session.
    const isStarted = (): boolean => this.#taskStarted;
    return {
      id: task.id,
      get started() {
        return isStarted();
      },
      start: () => this.startTask(),
    };
  }

  /** From now on the call is a task: the open leg is answered `taskStarted`, later states are stored. */
  startTask(): void {
    if (this.#task === undefined || this.#taskStarted || this.#ended) return;
    this.#taskStarted = true;
    if (this.#task.recordStart !== true) return this.#reply(TASK_STARTED);
    // Stored first: whoever hears the chunk started can rely on finding it in the store. A chunk
    // whose start could not be stored is refused and stopped: nobody could find it again.
    const leg = this.#leg;
    this.#leg = undefined;
    const task = this.#task;
    const started = this.#taskWrites.then(() => task.write(++this.#taskSeq, TASK_STARTED));
    this.#taskWrites = started.then(() => undefined);
    void started.then((stored) => {
      if (!stored) this.controller.abort(new Error('the task store refused the chunk'));
      if (leg === undefined) return;
      const answer = stored
        ? TASK_STARTED
        : failure(WireErrorCode.TaskStoreFailed, `node could not store the start of task ${task.id}`);
      sendReply(this.#runtime, leg, answer, this.callId);
    });
  }

  /** The outcome of the request: answers the open leg, or is held for the next resume. */
  finish(response: Response): void {
    if (this.#ended) return;
    // A handler that finished no longer reads answers it did not wait for.
    this.#outbox?.clear();
    this.#waiting?.clear();
    if (this.#taskStarted) {
      this.#store(response as CallResponse);
      this.#end();
    } else if (this.#leg !== undefined) {
      this.#reply(response);
      this.#end();
    } else if (this.controller.signal.aborted) {
      // Aborted while parked (deadline, cancel, stop): nobody is waiting for this outcome.
      this.#end();
    } else {
      this.#held = response;
      this.#listen();
      this.#holdTimer = setTimeout(() => this.#end(), Math.max(0, this.#deadline - Date.now()));
    }
  }

  /**
   * A resume: `msg` becomes the current leg and the answers go to the requests waiting on them. An
   * answer the client left out is asked for again, so the handler never waits on nothing. A resume
   * arriving while another leg is open supersedes it: only the newest sender is still listening.
   */
  resume(msg: Msg, inputResponses: Readonly<Record<string, unknown>>): void {
    if (this.#ended) return;
    if (this.#taskStarted) return this.#resumeTask(msg, inputResponses);
    if (this.#leg !== undefined) {
      sendReply(
        this.#runtime,
        this.#leg,
        failure(WireErrorCode.BadRequest, `call ${this.callId} was resumed again; this leg is superseded`),
        this.callId,
      );
    }
    this.#leg = msg;
    if (this.#held !== undefined) {
      this.#reply(this.#held);
      this.#end();
      return;
    }
    const waiting = (this.#waiting ??= new Map());
    const outbox = (this.#outbox ??= new Map());
    for (const [key, waiter] of [...waiting]) {
      if (!Object.hasOwn(inputResponses, key)) continue;
      waiting.delete(key);
      outbox.delete(key);
      waiter.resolve(inputResponses[key]);
    }
    for (const [key, waiter] of waiting) outbox.set(key, waiter.request);
    this.#queueFlush();
  }

  /**
   * A task's answers (`tasks/update`): the resume is acknowledged at once, the answered requests
   * resolve, and the task's state says what is still wanted (or that it works again). Answers to
   * keys nobody waits on are ignored.
   */
  #resumeTask(msg: Msg, inputResponses: Readonly<Record<string, unknown>>): void {
    sendReply(this.#runtime, msg, TASK_STARTED, this.callId);
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    let answered = 0;
    for (const [key, waiter] of [...waiting]) {
      if (!Object.hasOwn(inputResponses, key)) continue;
      waiting.delete(key);
      this.#outbox?.delete(key);
      answered++;
      waiter.resolve(inputResponses[key]);
    }
    if (answered === 0) return;
    this.#store(waiting.size === 0 ? undefined : { ok: true, inputRequired: this.#pendingRequests() });
  }

  #pendingRequests(): Record<string, InputRequest> {
    const pending: Record<string, InputRequest> = {};
    for (const [key, waiter] of this.#waiting ?? []) pending[key] = waiter.request;
    return pending;
  }

  /** Queues one state of the task for the store, after every earlier one. */
  #store(response: CallResponse | undefined): void {
    const task = this.#task;
    if (task === undefined) return;
    const seq = ++this.#taskSeq;
    this.#taskWrites = this.#taskWrites.then(() => task.write(seq, response).then(() => undefined));
  }

  #nextKey(): string {
    let key: string;
    do key = `input-${++this.#inputCount}`;
    while (this.#waiting?.has(key));
    return key;
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#ended || this.#outbox === undefined || this.#outbox.size === 0) return;
    if (this.#taskStarted) {
      // The task's state names every request still waiting, not only the new ones.
      this.#outbox.clear();
      this.#store({ ok: true, inputRequired: this.#pendingRequests() });
      return;
    }
    if (this.#leg === undefined) return;
    const inputRequired = Object.fromEntries(this.#outbox);
    this.#outbox.clear();
    this.#reply({ ok: true, inputRequired });
  }

  #reply(response: Response): void {
    const leg = this.#leg;
    if (leg === undefined) return;
    this.#leg = undefined;
    sendReply(this.#runtime, leg, response, this.callId);
  }

  /**
   * Listens for the abort once something waits on the session; a call that never asks its client
   * and is answered at once (most of them) adds and removes no listener. An abort that came before
   * is handled now.
   */
  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    if (this.controller.signal.aborted) queueMicrotask(this.#onAbort);
    else this.controller.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    const reason: unknown = this.controller.signal.reason;
    if (this.#waiting !== undefined) for (const waiter of this.#waiting.values()) waiter.reject(reason);
    this.#waiting?.clear();
    this.#outbox?.clear();
    if (this.#held !== undefined) this.#end();
  };

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#holdTimer);
    if (this.#listening) this.controller.signal.removeEventListener('abort', this.#onAbort);
    this.#runtime.calls.leave(this);
  }
}
