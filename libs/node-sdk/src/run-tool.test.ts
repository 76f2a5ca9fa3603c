import { WireErrorCode, type CallNotification } from '@easyremote/protocol';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineTool } from './define-tool.js';
import { ToolError } from './errors.js';
import { runTool } from './run-tool.js';
import { toolResult, type ToolReturn } from './tool-result.js';

function returning(value: ToolReturn) {
  return defineTool({ name: 'r', input: Type.Object({}), handler: () => value });
}

describe('result shaping', () => {
  it.each([
    ['a string as one text block', 'hello', { content: [{ type: 'text', text: 'hello' }] }],
    ['JSON as its text', { a: [1, null] }, { content: [{ type: 'text', text: '{"a":[1,null]}' }] }],
    ['a number as its text', 42, { content: [{ type: 'text', text: '42' }] }],
    ['undefined as no content', undefined, { content: [] }],
  ])('sends %s', async (_what, value, result) => {
    expect(await runTool(returning(value), {})).toEqual({ ok: true, result });
  });

  it('sends an explicit toolResult unchanged, without its brand', async () => {
    const explicit = toolResult({ content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }], isError: true });
    const response = await runTool(returning(explicit), {});
    expect(JSON.parse(JSON.stringify(response))).toEqual({
      ok: true,
      result: { content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }], isError: true },
    });
  });

  it('reports a value JSON cannot carry as invalid output', async () => {
    const response = await runTool(returning({ big: 1n } as never), {});
    expect(response).toMatchObject({ ok: false, error: { code: WireErrorCode.InvalidOutput } });
  });

  const sum = defineTool({
    name: 'sum',
    input: Type.Object({ a: Type.Number(), b: Type.Number({ default: 1 }) }),
    output: Type.Object({ sum: Type.Number() }),
    handler: ({ a, b }) => ({ sum: a + b }),
  });

  it('validates against the output schema and adds structured content', async () => {
    expect(await runTool(sum, { a: 2 })).toEqual({
      ok: true,
      result: { content: [{ type: 'text', text: '{"sum":3}' }], structuredContent: { sum: 3 } },
    });
    const wrong = defineTool({
      name: 'w',
      input: Type.Object({}),
      output: Type.Object({ n: Type.Number() }),
      handler: () => ({ n: 'x' }) as never,
    });
    expect(await runTool(wrong, {})).toEqual({
      ok: false,
      error: { code: WireErrorCode.InvalidOutput, message: 'tool "w" returned an invalid result: /n: must be number' },
    });
  });

  it('lets a structured tool return an explicit error result', async () => {
    const tool = defineTool({
      name: 'e',
      input: Type.Object({}),
      output: Type.Object({ n: Type.Number() }),
      handler: () => toolResult({ content: [{ type: 'text', text: 'no' }], isError: true }) as never,
    });
    expect(await runTool(tool, {})).toMatchObject({ ok: true, result: { isError: true } });
  });
});

describe('call execution', () => {
  it('rejects invalid arguments with every failing path', async () => {
    const tool = defineTool({
      name: 'echo',
      input: Type.Object({ text: Type.String(), n: Type.Optional(Type.Integer()) }),
      handler: ({ text }) => text,
    });
    expect(await runTool(tool, { text: 1, n: 1.5 })).toEqual({
      ok: false,
      error: {
        code: WireErrorCode.InvalidArguments,
        message: 'invalid arguments for tool "echo": /text: must be string; /n: must be integer',
      },
    });
  });

  it('passes a ToolError code, message and data through unchanged', async () => {
    const tool = defineTool({
      name: 't',
      input: Type.Object({}),
      handler: () => {
        throw new ToolError('IMG_ERR_FORMAT', 'unsupported format', { format: 'bmp' });
      },
    });
    expect(await runTool(tool, {})).toEqual({
      ok: false,
      error: { code: 'IMG_ERR_FORMAT', message: 'unsupported format', data: { format: 'bmp' } },
    });
  });

  it('reports any other throw as HANDLER_FAILED with the message only', async () => {
    const tool = defineTool({
      name: 't',
      input: Type.Object({}),
      handler: async () => {
        throw new Error('disk full');
      },
    });
    const response = await runTool(tool, {});
    expect(response).toEqual({ ok: false, error: { code: WireErrorCode.HandlerFailed, message: 'disk full' } });
    expect(JSON.stringify(response)).not.toMatch(/at .*\.ts/);
  });

  it('aborts the handler at the deadline without waiting for it', async () => {
    let aborted: unknown;
    const tool = defineTool({
      name: 'slow',
      input: Type.Object({}),
      handler: (_args, ctx) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = ctx.signal.reason;
        });
        return new Promise<string>(() => {}); // ignores the signal and never settles
      },
    });
    const started = Date.now();
    const response = await runTool(tool, {}, { timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(response).toMatchObject({ ok: false, error: { code: WireErrorCode.DeadlineExceeded } });
    expect(aborted).toMatchObject({ code: WireErrorCode.DeadlineExceeded });
  });

  it('ends the call when the caller aborts', async () => {
    const tool = defineTool({ name: 'slow', input: Type.Object({}), handler: () => new Promise<string>(() => {}) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect(await runTool(tool, {}, { signal: controller.signal })).toMatchObject({
      ok: false,
      error: { message: 'the call was aborted' },
    });
  });

  it('gives the handler its context and relays notifications until the call ends', async () => {
    const seen: CallNotification[] = [];
    let late: (() => void) | undefined;
    const tool = defineTool({
      name: 'ctx',
      input: Type.Object({}),
      handler: (_args, ctx) => {
        ctx.progress(1, 2, 'half');
        ctx.log('info', { step: 1 }, 'worker');
        ctx.progress(Number.NaN);
        late = () => ctx.progress(2, 2);
        return { callId: ctx.callId, nodeId: ctx.nodeId, meta: ctx.meta, inTime: ctx.deadline > Date.now() };
      },
    });
    const response = await runTool(
      tool,
      {},
      { callId: 'c1', meta: { progressToken: 7 }, onNotification: (n) => seen.push(n) },
    );
    late?.();
    expect(response).toEqual({
      ok: true,
      result: {
        content: [{ type: 'text', text: '{"callId":"c1","nodeId":"local","meta":{"progressToken":7},"inTime":true}' }],
      },
    });
    expect(seen).toEqual([
      { kind: 'progress', progress: 1, total: 2, message: 'half' },
      { kind: 'log', level: 'info', data: { step: 1 }, logger: 'worker' },
    ]);
  });

  it('never lets a failing notification sink fail the call', async () => {
    const tool = defineTool({
      name: 'p',
      input: Type.Object({}),
      handler: (_a, ctx) => {
        ctx.progress(1);
        return 'done';
      },
    });
    const response = await runTool(
      tool,
      {},
      {
        onNotification: () => {
          throw new Error('closed');
        },
      },
    );
    expect(response).toMatchObject({ ok: true });
  });
});

describe('asking the client', () => {
  const ask = defineTool({
    name: 'ask',
    input: Type.Object({ what: Type.Union([Type.Literal('elicit'), Type.Literal('sample'), Type.Literal('roots')]) }),
    handler: async ({ what }, ctx) => {
      if (what === 'elicit') {
        const answer = await ctx.elicit({
          message: 'Name?',
          requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
        });
        return `${answer.action}:${String(answer.content?.name)}`;
      }
      if (what === 'sample') {
        const reply = await ctx.sample({
          messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
          maxTokens: 10,
        });
        return `${reply.model}:${JSON.stringify(reply.content)}`;
      }
      return (await ctx.listRoots()).roots.map((root) => root.uri).join(',');
    },
  });

  it('sends elicitation, sampling and roots requests to the client and returns its results', async () => {
    const requests: unknown[] = [];
    const client = {
      onRequest: (method: string, params: Record<string, unknown>) => {
        requests.push({ method, params });
        if (method === 'elicitation/create') return { action: 'accept', content: { name: 'Ada' } };
        if (method === 'sampling/createMessage')
          return { role: 'assistant', content: { type: 'text', text: 'yo' }, model: 'm1' };
        return { roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }] };
      },
    };
    expect(await runTool(ask, { what: 'elicit' }, { client })).toMatchObject({
      ok: true,
      result: { content: [{ text: 'accept:Ada' }] },
    });
    expect(await runTool(ask, { what: 'sample' }, { client })).toMatchObject({
      ok: true,
      result: { content: [{ text: 'm1:{"type":"text","text":"yo"}' }] },
    });
    expect(await runTool(ask, { what: 'roots' }, { client })).toMatchObject({
      ok: true,
      result: { content: [{ text: 'file:///a,file:///b' }] },
    });
    expect(requests[0]).toEqual({
      method: 'elicitation/create',
      params: { message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
    });
    expect(requests[2]).toEqual({ method: 'roots/list', params: {} });
  });

  it('fails with CLIENT_REQUEST_FAILED without a client, or without the capability', async () => {
    expect(await runTool(ask, { what: 'elicit' })).toEqual({
      ok: false,
      error: {
        code: WireErrorCode.ClientRequestFailed,
        message: 'the client does not support elicitation (the call did not say who the client is)',
      },
    });
    const noSampling = { capabilities: { elicitation: {} }, onRequest: () => ({}) };
    expect(await runTool(ask, { what: 'sample' }, { client: noSampling })).toEqual({
      ok: false,
      error: { code: WireErrorCode.ClientRequestFailed, message: 'the client does not support sampling' },
    });
  });

  it('passes the client error code through and refuses malformed results', async () => {
    const refusing = {
      onRequest: () => {
        throw new ToolError('MCP_ERR_-1', 'user said no');
      },
    };
    expect(await runTool(ask, { what: 'elicit' }, { client: refusing })).toEqual({
      ok: false,
      error: { code: 'MCP_ERR_-1', message: 'user said no' },
    });
    const broken = { onRequest: () => ({ action: 'maybe' }) };
    expect(await runTool(ask, { what: 'elicit' }, { client: broken })).toMatchObject({
      ok: false,
      error: {
        code: WireErrorCode.ClientRequestFailed,
        message: expect.stringContaining('action must be accept, decline or cancel'),
      },
    });
  });

  it('tells a handler what the client supports', async () => {
    const probe = defineTool({
      name: 'probe',
      input: Type.Object({}),
      handler: (_args, ctx) => [
        ctx.clientSupports('elicitation/create'),
        ctx.clientSupports('sampling/createMessage'),
        ctx.clientSupports('elicitation/create', { mode: 'url' }),
      ],
    });
    const client = { capabilities: { elicitation: {} }, onRequest: () => ({}) };
    expect(await runTool(probe, {}, { client })).toMatchObject({
      ok: true,
      result: { content: [{ text: '[true,false,false]' }] },
    });
    expect(await runTool(probe, {})).toMatchObject({
      ok: true,
      result: { content: [{ text: '[false,false,false]' }] },
    });
  });

  it('lets a handler catch the failure and answer anyway', async () => {
    const polite = defineTool({
      name: 'polite',
      input: Type.Object({}),
      handler: async (_args, ctx) => {
        try {
          await ctx.elicit({ message: 'x', requestedSchema: { type: 'object', properties: {} } });
          return 'asked';
        } catch (error) {
          return `not supported: ${(error as ToolError).code}`;
        }
      },
    });
    expect(await runTool(polite, {})).toMatchObject({
      ok: true,
      result: { content: [{ text: `not supported: ${WireErrorCode.ClientRequestFailed}` }] },
    });
  });
});
