import { AccessPolicy, AuthErrorCode } from '@easyremote/auth';
import type { Logger, ToolDescriptor } from '@easyremote/protocol';
import type { RegistryView, ToolEntry } from '@easyremote/registry';
import { describe, expect, it } from 'vitest';
import { ResourceIdentity } from '../auth/oauth-resource.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { ArgumentValidator } from '../routing/argument-validator.js';
import { CallGuard } from '../security/call-guard.js';
import { authoriseStage, recordStage, validateStage } from './call-stages.js';
import { CallEvents, type CallEvent } from './call-events.js';
import {
  type CallOutcome,
  type ToolCall,
  composeCallPipeline,
  type CallStage,
  type NextStage,
} from './call-pipeline.js';

const logged: unknown[] = [];
const logger = {
  error: (entry: unknown) => logged.push(entry),
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => logger,
} as unknown as Logger;

function call(overrides: Partial<ToolCall> = {}): ToolCall {
  return {
    tool: 'echo',
    arguments: { text: 'hi' },
    callId: 'call-1',
    via: 'rest',
    principal: 'alice',
    access: new AccessPolicy(['admin']),
    ...overrides,
  };
}

const answered =
  (text: string): NextStage =>
  (c) =>
    Promise.resolve({ kind: 'result', result: { content: [{ type: 'text', text }] }, callId: c.callId, nodeId: 'n1' });

// The registry's read side only: the stages look tools up by name.
function registry(descriptors: ToolDescriptor[]): RegistryView {
  const byName = new Map<string, ToolEntry>(
    descriptors.map((d) => [d.name, { name: d.name, descriptor: d, providers: ['n1'] }]),
  );
  return { tool: (name: string) => byName.get(name) } as unknown as RegistryView;
}

describe('composeCallPipeline', () => {
  it('runs the stages in order around the terminal, each seeing what the later ones returned', async () => {
    const seen: string[] = [];
    const tracing =
      (name: string): CallStage =>
      async (c, next) => {
        seen.push(`${name}>`);
        const outcome = await next(c);
        seen.push(`<${name}:${outcome.kind}`);
        return outcome;
      };
    const pipeline = composeCallPipeline([tracing('a'), tracing('b')], answered('done'), logger);
    const outcome = await pipeline.run(call());
    expect(outcome).toMatchObject({ kind: 'result', nodeId: 'n1' });
    expect(seen).toEqual(['a>', 'b>', '<b:result', '<a:result']);
  });

  it('lets a stage answer by itself without running the rest', async () => {
    let ran = false;
    const refuse: CallStage = (c) =>
      Promise.resolve({ kind: 'failed', error: { code: 'X_ERR', message: 'no' }, callId: c.callId, nodeId: undefined });
    const pipeline = composeCallPipeline(
      [refuse],
      (c) => {
        ran = true;
        return answered('never')(c);
      },
      logger,
    );
    expect(await pipeline.run(call())).toMatchObject({ kind: 'failed', error: { code: 'X_ERR' } });
    expect(ran).toBe(false);
  });

  it('turns what a stage throws into a failed outcome the stage before it sees as a value', async () => {
    const before: CallOutcome[] = [];
    const observe: CallStage = async (c, next) => {
      const outcome = await next(c);
      before.push(outcome);
      return outcome;
    };
    const throwsSync: NextStage = () => {
      throw new GatewayError(GatewayErrorCode.InvalidPlacement, 'bad placement', { data: { key: 'gpu' } });
    };
    const outcome = await composeCallPipeline([observe], throwsSync, logger).run(call());
    expect(outcome).toEqual({
      kind: 'failed',
      error: { code: GatewayErrorCode.InvalidPlacement, message: 'bad placement', data: { key: 'gpu' } },
      callId: 'call-1',
      nodeId: undefined,
    });
    expect(before).toEqual([outcome]);
  });

  it('answers an unexpected failure as GW_ERR_INTERNAL, its details in the log only', async () => {
    logged.length = 0;
    const outcome = await composeCallPipeline([], () => Promise.reject(new Error('secret detail')), logger).run(call());
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { code: GatewayErrorCode.Internal, message: 'Internal error' },
    });
    expect(JSON.stringify(outcome)).not.toContain('secret detail');
    expect(logged).toHaveLength(1);
  });
});

describe('recordStage', () => {
  const run = async (events: CallEvents, terminal: NextStage, c: ToolCall = call()) =>
    composeCallPipeline([recordStage(events)], terminal, logger).run(c);

  it('announces each finished call once, classified by its outcome', async () => {
    const events = new CallEvents();
    const seen: CallEvent[] = [];
    events.subscribe((event) => seen.push(event));
    await run(events, answered('ok'));
    await run(events, (c) =>
      Promise.resolve({ kind: 'result', result: { content: [], isError: true }, callId: c.callId, nodeId: 'n2' }),
    );
    await run(events, () => Promise.reject(new GatewayError(GatewayErrorCode.ToolNotFound, 'Unknown tool: echo')));
    const aborted = new AbortController();
    aborted.abort();
    await run(events, answered('late'), call({ signal: aborted.signal }));
    expect(seen.map((e) => [e.outcome, e.errorCode, e.nodeId])).toEqual([
      ['success', undefined, 'n1'],
      ['tool_error', undefined, 'n2'],
      ['error', GatewayErrorCode.ToolNotFound, undefined],
      ['cancelled', undefined, 'n1'],
    ]);
    expect(seen[0]).toMatchObject({ callId: 'call-1', tool: 'echo', principal: 'alice', via: 'rest', cached: false });
    expect(seen[0]!.argumentsBytes).toBe(Buffer.byteLength(JSON.stringify({ text: 'hi' })));
  });

  it('does not announce a call that waits for client input', async () => {
    const events = new CallEvents();
    const seen: CallEvent[] = [];
    events.subscribe((event) => seen.push(event));
    const outcome = await run(events, (c) =>
      Promise.resolve({ kind: 'input', inputRequests: {}, callId: c.callId, nodeId: 'n1' }),
    );
    expect(outcome.kind).toBe('input');
    expect(seen).toEqual([]);
  });

  it('withholds the answer when the durable record fails (GW_ERR_AUDIT_FAILED)', async () => {
    const events = new CallEvents();
    events.subscribeDurable(() => Promise.reject(new Error('stream unavailable')));
    const outcome = await run(events, answered('the secret answer'));
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { code: GatewayErrorCode.AuditFailed, data: { cause: 'stream unavailable' } },
    });
    expect(JSON.stringify(outcome)).not.toContain('the secret answer');
  });
});

describe('authoriseStage', () => {
  const tools = registry([
    { name: 'echo', inputSchema: { type: 'object' } },
    { name: 'wipe', inputSchema: { type: 'object' }, metadata: { securityLevel: 'high' } },
  ]);
  const guard = new CallGuard({ registry: tools, logger });
  const identity = new ResourceIdentity('https://mesh.example');
  const pipeline = composeCallPipeline([authoriseStage(guard, identity)], answered('ran'), logger);

  it('lets a caller whose scopes cover the tool through', async () => {
    const outcome = await pipeline.run(call({ access: new AccessPolicy(['tools:call:echo']) }));
    expect(outcome.kind).toBe('result');
  });

  it('refuses another tool with insufficient_scope and a challenge naming the scope', async () => {
    const outcome = await pipeline.run(call({ tool: 'wipe', access: new AccessPolicy(['tools:call:echo']) }));
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { code: AuthErrorCode.InsufficientScope, data: { scope: 'tools:call:wipe' } },
    });
    const challenge = outcome.kind === 'failed' ? outcome.headers?.['www-authenticate'] : undefined;
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="tools:call:wipe"');
  });

  it('refuses a resource named in the arguments that the caller may not read', async () => {
    const access = new AccessPolicy(['tools:call:echo', 'resources:read:easyremote://data/public-*']);
    const outcome = await pipeline.run(call({ access, arguments: { source: 'easyremote://data/%70rivate-1' } }));
    expect(outcome).toMatchObject({ kind: 'failed', error: { code: AuthErrorCode.InsufficientScope } });
    const allowed = await pipeline.run(call({ access, arguments: { source: 'easyremote://data/public-1' } }));
    expect(allowed.kind).toBe('result');
  });

  it('refuses everything when no policy was established', async () => {
    const outcome = await pipeline.run(call({ access: undefined }));
    expect(outcome).toMatchObject({ kind: 'failed', error: { code: AuthErrorCode.Unauthenticated } });
  });
});

describe('validateStage', () => {
  const tools = registry([
    {
      name: 'echo',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
  ]);
  const pipeline = composeCallPipeline([validateStage(tools, new ArgumentValidator())], answered('ran'), logger);

  it('refuses an unknown tool and arguments outside the schema before any node is asked', async () => {
    expect(await pipeline.run(call({ tool: 'nope' }))).toMatchObject({
      error: { code: GatewayErrorCode.ToolNotFound },
    });
    expect(await pipeline.run(call({ arguments: { text: 3 } }))).toMatchObject({
      error: { code: GatewayErrorCode.InvalidArguments },
    });
    expect((await pipeline.run(call())).kind).toBe('result');
  });

  it('passes a resumed call, validated on its first leg', async () => {
    const outcome = await pipeline.run(call({ tool: 'nope', resume: { nodeId: 'n1', inputResponses: {} } }));
    expect(outcome.kind).toBe('result');
  });
});
