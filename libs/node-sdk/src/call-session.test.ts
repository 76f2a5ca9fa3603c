import { EasyRemoteError, MESH_PROTOCOL_VERSION, silentLogger, WireErrorCode } from '@easyremote/protocol';
import type { Msg } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { CallSession } from './call-session.js';
import type { NodeRuntime } from './node-runtime.js';
import { LoadStats } from './load-stats.js';
import { DeadlineWatch } from './deadline-watch.js';
import { RunningCalls } from './running-calls.js';

interface FakeLeg {
  msg: Msg;
  /** The responses answered on this leg. */
  replies: unknown[];
  /** The CallReply envelopes around them, without the response. */
  envelopes: unknown[];
}

function leg(): FakeLeg {
  const replies: unknown[] = [];
  const envelopes: unknown[] = [];
  const msg = {
    subject: 'nodes.n.call',
    reply: '_INBOX.x',
    respond: (data: Uint8Array) => {
      const { response, ...envelope } = JSON.parse(new TextDecoder().decode(data)) as { response: unknown };
      replies.push(response);
      envelopes.push(envelope);
      return true;
    },
  } as unknown as Msg;
  return { msg, replies, envelopes };
}

function runtime(): NodeRuntime {
  return {
    nc: { info: { max_payload: 1024 * 1024 } } as never,
    nodeId: 'n',
    logger: silentLogger,
    defaultTimeoutMs: 1_000,
    catalog: undefined as never,
    calls: new RunningCalls('n', 8),
    deadlines: new DeadlineWatch(),
    load: new LoadStats(),
    payloads: undefined,
    tasks: undefined as never,
    callObservers: new Set(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const ask = (message: string) => ({ method: 'elicitation/create' as const, params: { message } });
const result = { ok: true, result: { content: [] } } as const;

describe('CallSession', () => {
  it('answers a plain call once and leaves the in-flight map', () => {
    const rt = runtime();
    const first = leg();
    const session = new CallSession(rt, first.msg, 'c1', Date.now() + 1_000);
    expect(rt.calls.get('c1')).toBe(session);
    session.finish(result);
    session.finish({ ok: false, error: { code: 'X', message: 'twice' } });
    expect(first.replies).toEqual([result]);
    expect(first.envelopes).toEqual([{ callId: 'c1', v: MESH_PROTOCOL_VERSION, node: 'n' }]);
    expect(rt.calls.size).toBe(0);
  });

  it('batches requests of one tick into one inputRequired and resolves them from a resume', async () => {
    const rt = runtime();
    const first = leg();
    const session = new CallSession(rt, first.msg, 'c1', Date.now() + 1_000, true);
    const answers = Promise.all([session.requestInput(ask('a')), session.requestInput(ask('b'))]);
    await tick();
    expect(first.replies).toEqual([{ ok: true, inputRequired: { 'input-1': ask('a'), 'input-2': ask('b') } }]);
    expect(rt.calls.get('c1')).toBe(session); // parked: still in flight

    const second = leg();
    session.resume(second.msg, { 'input-1': { action: 'accept' }, 'input-2': { action: 'decline' } });
    expect(await answers).toEqual([{ action: 'accept' }, { action: 'decline' }]);
    session.finish(result);
    expect(second.replies).toEqual([result]);
    expect(first.replies).toHaveLength(1);
    expect(rt.calls.size).toBe(0);
  });

  it('asks again for answers a resume left out, under the same key', async () => {
    const first = leg();
    const session = new CallSession(runtime(), first.msg, 'c1', Date.now() + 1_000, true);
    const a = session.requestInput(ask('a'));
    void session.requestInput(ask('b'));
    await tick();
    const second = leg();
    session.resume(second.msg, { 'input-1': { action: 'cancel' } });
    expect(await a).toEqual({ action: 'cancel' });
    await tick();
    expect(second.replies).toEqual([{ ok: true, inputRequired: { 'input-2': ask('b') } }]);
  });

  it('uses the key the handler chose, and refuses a key already waiting', async () => {
    const first = leg();
    const session = new CallSession(runtime(), first.msg, 'c1', Date.now() + 1_000, true);
    void session.requestInput(ask('a'), 'user_name');
    const duplicate = session.requestInput(ask('b'), 'user_name');
    void session.requestInput(ask('c'));
    await expect(duplicate).rejects.toThrow(/"user_name" already names a request/);
    await tick();
    expect(first.replies).toEqual([{ ok: true, inputRequired: { user_name: ask('a'), 'input-1': ask('c') } }]);
  });

  it('holds an outcome reached while parked for the next resume', async () => {
    const rt = runtime();
    const first = leg();
    const session = new CallSession(rt, first.msg, 'c1', Date.now() + 1_000, true);
    void session.requestInput(ask('a'));
    await tick();
    session.finish(result);
    expect(rt.calls.size).toBe(1);
    const second = leg();
    session.resume(second.msg, {});
    expect(second.replies).toEqual([result]);
    expect(rt.calls.size).toBe(0);
  });

  it('ends silently when aborted while parked, rejecting what the handler waits on', async () => {
    const rt = runtime();
    const first = leg();
    const session = new CallSession(rt, first.msg, 'c1', Date.now() + 1_000, true);
    const pending = session.requestInput(ask('a'));
    await tick();
    const reason = new EasyRemoteError(WireErrorCode.Cancelled, 'cancelled');
    session.controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    session.finish({ ok: false, error: { code: WireErrorCode.Cancelled, message: 'cancelled' } });
    expect(first.replies).toHaveLength(1);
    expect(rt.calls.size).toBe(0);
  });

  it('answers a superseded leg with BAD_REQUEST and the outcome on the newest', () => {
    const first = leg();
    const session = new CallSession(runtime(), first.msg, 'c1', Date.now() + 1_000, true);
    const second = leg();
    session.resume(second.msg, {});
    session.finish(result);
    expect(first.replies).toEqual([
      {
        ok: false,
        error: { code: WireErrorCode.BadRequest, message: 'call c1 was resumed again; this leg is superseded' },
      },
    ]);
    expect(second.replies).toEqual([result]);
  });

  describe('as a task', () => {
    function sink() {
      const writes: { seq: number; response: unknown }[] = [];
      return {
        writes,
        task: {
          id: 'T'.repeat(22),
          write: (seq: number, response: unknown) => {
            writes.push({ seq, response });
            return Promise.resolve(true);
          },
        },
      };
    }

    it('answers its leg taskStarted once started, and stores every later state in order', async () => {
      const rt = runtime();
      const first = leg();
      const { writes, task } = sink();
      const session = new CallSession(rt, first.msg, 'c1', Date.now() + 1_000, true, task);
      session.startTask();
      session.startTask();
      expect(first.replies).toEqual([{ ok: true, taskStarted: true }]);
      const answers = Promise.all([session.requestInput(ask('a')), session.requestInput(ask('b'))]);
      await tick();
      expect(writes).toEqual([
        { seq: 1, response: { ok: true, inputRequired: { 'input-1': ask('a'), 'input-2': ask('b') } } },
      ]);

      // A partial answer: acknowledged on its own leg, the state names only what is still wanted.
      const second = leg();
      session.resume(second.msg, { 'input-1': { action: 'accept' }, 'not-asked': { ignored: true } });
      expect(second.replies).toEqual([{ ok: true, taskStarted: true }]);
      await tick();
      expect(writes[1]).toEqual({ seq: 2, response: { ok: true, inputRequired: { 'input-2': ask('b') } } });

      const third = leg();
      session.resume(third.msg, { 'input-2': { action: 'decline' } });
      expect(await answers).toEqual([{ action: 'accept' }, { action: 'decline' }]);
      await tick();
      expect(writes[2]).toEqual({ seq: 3, response: undefined });
      session.finish(result);
      await tick();
      expect(writes[3]).toEqual({ seq: 4, response: result });
      expect(first.replies).toHaveLength(1);
      expect(rt.calls.size).toBe(0);
    });

    it('stays a synchronous call until the handler starts the task', async () => {
      const rt = runtime();
      const first = leg();
      const { writes, task } = sink();
      const session = new CallSession(rt, first.msg, 'c1', Date.now() + 1_000, true, task);
      expect(session.task?.started).toBe(false);
      const name = session.requestInput(ask('name?'), 'user_name');
      await tick();
      expect(first.replies).toEqual([{ ok: true, inputRequired: { user_name: ask('name?') } }]);
      const retry = leg();
      session.resume(retry.msg, { user_name: { action: 'accept', content: { name: 'Alice' } } });
      expect(await name).toEqual({ action: 'accept', content: { name: 'Alice' } });
      session.task?.start();
      expect(session.task?.started).toBe(true);
      expect(retry.replies).toEqual([{ ok: true, taskStarted: true }]);
      session.finish(result);
      await tick();
      expect(writes).toEqual([{ seq: 1, response: result }]);
    });

    it('stores a chunk task started before it answers taskStarted (recordStart), then its outcome', async () => {
      const first = leg();
      const writes: { seq: number; response: unknown }[] = [];
      let stored!: (ok: boolean) => void;
      const task = {
        id: 'T'.repeat(22),
        recordStart: true,
        write: (seq: number, response: unknown) => {
          writes.push({ seq, response });
          // The first write is held until the test lets it land.
          return seq === 1 ? new Promise<boolean>((resolve) => (stored = resolve)) : Promise.resolve(true);
        },
      };
      const session = new CallSession(runtime(), first.msg, 'c1', Date.now() + 1_000, true, task);
      session.startTask();
      await tick();
      expect(writes).toEqual([{ seq: 1, response: { ok: true, taskStarted: true } }]);
      expect(first.replies).toEqual([]);
      session.finish(result);
      stored(true);
      await tick();
      expect(first.replies).toEqual([{ ok: true, taskStarted: true }]);
      expect(writes).toEqual([
        { seq: 1, response: { ok: true, taskStarted: true } },
        { seq: 2, response: result },
      ]);
    });

    it('refuses a chunk task whose start could not be stored, and stops its handler', async () => {
      const first = leg();
      const task = { id: 'T'.repeat(22), recordStart: true, write: () => Promise.resolve(false) };
      const session = new CallSession(runtime(), first.msg, 'c1', Date.now() + 1_000, true, task);
      session.startTask();
      await tick();
      expect(first.replies).toEqual([
        { ok: false, error: expect.objectContaining({ code: 'NODE_ERR_TASK_STORE_FAILED' }) },
      ]);
      expect(session.controller.signal.aborted).toBe(true);
    });

    it('answers a call that finished before its task started as a plain call', () => {
      const first = leg();
      const { writes, task } = sink();
      const session = new CallSession(runtime(), first.msg, 'c1', Date.now() + 1_000, true, task);
      session.finish(result);
      expect(first.replies).toEqual([result]);
      expect(writes).toEqual([]);
    });
  });
});
