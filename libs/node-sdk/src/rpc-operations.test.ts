import { silentLogger, WireErrorCode, type CallNotification } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { complete, MAX_COMPLETION_VALUES } from './complete.js';
import { definePrompt } from './define-prompt.js';
import { defineResource } from './define-resource.js';
import { defineResourceTemplate } from './define-resource-template.js';
import { ToolError } from './errors.js';
import { getPrompt, readResource } from './rpc-operations.js';
import { NodeCatalog, type NodeDefinition } from './node-catalog.js';
import type { RpcEnv } from './rpc-operations.js';
import type { ToolContext } from './tool-context.js';

function env(definitions: NodeDefinition[], extra: Partial<RpcEnv> = {}): RpcEnv {
  const catalog = new NodeCatalog('unit-node');
  catalog.add(definitions);
  return {
    catalog,
    controller: new AbortController(),
    deadline: Date.now() + 5_000,
    callId: 'call-1',
    nodeId: 'unit-node',
    logger: silentLogger,
    notify: undefined,
    meta: undefined,
    client: undefined,
    ...extra,
  };
}

const text = defineResource({
  uri: 'test://static-text',
  name: 'static-text',
  mimeType: 'text/plain',
  read: () => 'hello',
});
const bytes = defineResource({
  uri: 'test://static-binary',
  name: 'static-binary',
  mimeType: 'image/png',
  read: () => new Uint8Array([1, 2, 3]),
});
const template = defineResourceTemplate({
  uriTemplate: 'test://template/{id}/data',
  name: 'template',
  mimeType: 'application/json',
  read: (uri, { id }) => ({ contents: [{ uri, text: JSON.stringify({ id }) }] }),
  complete: { id: (value) => ['100', '101', '200'].filter((id) => id.startsWith(value)) },
});
// Registered after `template`, so the first match wins for URIs both accept.
const catchAll = defineResourceTemplate({
  uriTemplate: 'test://template/{id}/{part}',
  name: 'any',
  read: (_uri, v) => `part ${String(v.part)}`,
});

describe('resources/read', () => {
  it('serves an exact resource first, with the definition mimeType filled in', async () => {
    expect(await readResource(env([text]), { uri: 'test://static-text' })).toEqual({
      ok: true,
      result: { contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'hello' }] },
    });
    expect(await readResource(env([bytes]), { uri: 'test://static-binary' })).toEqual({
      ok: true,
      result: { contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: 'AQID' }] },
    });
  });

  it('falls back to the first matching template and passes its variables', async () => {
    const e = env([text, template, catchAll]);
    expect(await readResource(e, { uri: 'test://template/123/data' })).toEqual({
      ok: true,
      result: { contents: [{ uri: 'test://template/123/data', mimeType: 'application/json', text: '{"id":"123"}' }] },
    });
    expect(await readResource(e, { uri: 'test://template/123/other' })).toMatchObject({
      ok: true,
      result: { contents: [{ text: 'part other' }] },
    });
  });

  it('says NOT_FOUND for unknown URIs and BAD_REQUEST without one', async () => {
    expect(await readResource(env([text]), { uri: 'test://nope' })).toEqual({
      ok: false,
      error: { code: WireErrorCode.NotFound, message: 'node unit-node serves no resource matching "test://nope"' },
    });
    expect(await readResource(env([text]), {})).toMatchObject({ ok: false, error: { code: WireErrorCode.BadRequest } });
  });

  it('maps handler failures like tool calls, and rejects invalid contents', async () => {
    const failing = defineResource({
      uri: 'test://fails',
      name: 'fails',
      read: (uri) => {
        if (uri) throw new ToolError('DEMO_ERR_GONE', 'gone', { why: 'test' });
        return '';
      },
    });
    const broken = defineResource({
      uri: 'test://broken',
      name: 'broken',
      read: () => [{ text: 'a', blob: 'b' }] as never,
    });
    const e = env([failing, broken]);
    expect(await readResource(e, { uri: 'test://fails' })).toEqual({
      ok: false,
      error: { code: 'DEMO_ERR_GONE', message: 'gone', data: { why: 'test' } },
    });
    expect(await readResource(e, { uri: 'test://broken' })).toEqual({
      ok: false,
      error: {
        code: WireErrorCode.InvalidOutput,
        message: 'resource "test://broken" returned invalid contents: contents[0] needs exactly one of text and blob',
      },
    });
  });

  it('gives the handler a context whose log reaches the caller', async () => {
    const seen: CallNotification[] = [];
    const logging = defineResource({
      uri: 'test://logs',
      name: 'logs',
      read: (_uri, ctx) => {
        ctx.log('info', `read by ${ctx.callId}`);
        return 'ok';
      },
    });
    await readResource(env([logging], { notify: (n) => seen.push(n) }), { uri: 'test://logs' });
    expect(seen).toEqual([{ kind: 'log', level: 'info', data: 'read by call-1' }]);
  });
});

describe('prompts/get', () => {
  const withArgs = definePrompt({
    name: 'test_prompt_with_arguments',
    arguments: [{ name: 'arg1', required: true }, { name: 'arg2', required: true }, { name: 'extra' }],
    get: ({ arg1, arg2 }) => ({
      description: 'two args',
      messages: [{ role: 'user', content: { type: 'text', text: `${arg1}/${arg2}` } }],
    }),
    complete: { arg1: (value, ctx) => [`${value}-a`, `${value}-${ctx.arguments.arg2 ?? 'none'}`] },
  });

  it('answers { description, messages } and shapes a plain string', async () => {
    expect(await getPrompt(env([withArgs]), { name: withArgs.name, arguments: { arg1: 'x', arg2: 'y' } })).toEqual({
      ok: true,
      result: { description: 'two args', messages: [{ role: 'user', content: { type: 'text', text: 'x/y' } }] },
    });
    const simple = definePrompt({ name: 'simple', get: () => 'Just text' });
    expect(await getPrompt(env([simple]), { name: 'simple' })).toEqual({
      ok: true,
      result: { messages: [{ role: 'user', content: { type: 'text', text: 'Just text' } }] },
    });
  });

  it('names missing required arguments and non-string ones', async () => {
    expect(await getPrompt(env([withArgs]), { name: withArgs.name, arguments: { arg2: 'y' } })).toEqual({
      ok: false,
      error: {
        code: WireErrorCode.InvalidArguments,
        message: 'prompt "test_prompt_with_arguments" is missing required argument: arg1',
      },
    });
    expect(await getPrompt(env([withArgs]), { name: withArgs.name })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/missing required arguments: arg1, arg2$/) },
    });
    expect(await getPrompt(env([withArgs]), { name: withArgs.name, arguments: { arg1: 1, arg2: 'y' } })).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.InvalidArguments, message: expect.stringContaining('must be strings: arg1 is not') },
    });
  });

  it('says NOT_FOUND for unknown prompts and INVALID_OUTPUT for bad messages', async () => {
    expect(await getPrompt(env([withArgs]), { name: 'nope' })).toMatchObject({
      ok: false,
      error: { code: WireErrorCode.NotFound },
    });
    const bad = definePrompt({
      name: 'bad',
      get: () => [{ role: 'system', content: { type: 'text', text: 'x' } }] as never,
    });
    expect(await getPrompt(env([bad]), { name: 'bad' })).toMatchObject({
      ok: false,
      error: {
        code: WireErrorCode.InvalidOutput,
        message: expect.stringContaining('messages[0].role must be "user" or "assistant"'),
      },
    });
  });

  describe('completion/complete', () => {
    it('runs the prompt argument completer with the other arguments as context', async () => {
      const response = await complete(env([withArgs]), {
        ref: { type: 'ref/prompt', name: withArgs.name },
        argument: { name: 'arg1', value: 'p' },
        context: { arguments: { arg2: 'q' } },
      });
      expect(response).toEqual({
        ok: true,
        result: { completion: { values: ['p-a', 'p-q'], total: 2, hasMore: false } },
      });
    });

    it('completes template variables and answers empty values where nothing completes', async () => {
      const e = env([withArgs, template, text]);
      expect(
        await complete(e, {
          ref: { type: 'ref/resource', uri: template.uriTemplate },
          argument: { name: 'id', value: '10' },
        }),
      ).toEqual({
        ok: true,
        result: { completion: { values: ['100', '101'], total: 2, hasMore: false } },
      });
      const empty = { ok: true, result: { completion: { values: [], total: 0, hasMore: false } } };
      expect(
        await complete(e, { ref: { type: 'ref/prompt', name: withArgs.name }, argument: { name: 'arg2', value: '' } }),
      ).toEqual(empty);
      expect(
        await complete(e, {
          ref: { type: 'ref/resource', uri: 'test://static-text' },
          argument: { name: 'x', value: '' },
        }),
      ).toEqual(empty);
    });

    it('sends at most 100 values and says there are more', async () => {
      const many = definePrompt({
        name: 'many',
        arguments: [{ name: 'n' }],
        get: () => 'x',
        complete: { n: () => Array.from({ length: 150 }, (_v, i) => String(i)) },
      });
      const response = await complete(env([many]), {
        ref: { type: 'ref/prompt', name: 'many' },
        argument: { name: 'n', value: '' },
      });
      expect(response).toMatchObject({ ok: true, result: { completion: { total: 150, hasMore: true } } });
      expect(
        (response as unknown as { result: { completion: { values: string[] } } }).result.completion.values,
      ).toHaveLength(MAX_COMPLETION_VALUES);
    });

    it('rejects malformed requests and unknown references', async () => {
      const e = env([withArgs]);
      expect(
        await complete(e, { ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'a', value: '' } }),
      ).toMatchObject({ ok: false, error: { code: WireErrorCode.NotFound } });
      expect(
        await complete(e, { ref: { type: 'ref/resource', uri: 'test://{x}' }, argument: { name: 'x', value: '' } }),
      ).toMatchObject({ ok: false, error: { code: WireErrorCode.NotFound } });
      expect(await complete(e, { ref: { type: 'ref/other' }, argument: { name: 'a', value: '' } })).toMatchObject({
        ok: false,
        error: { code: WireErrorCode.BadRequest },
      });
      expect(await complete(e, { ref: { type: 'ref/prompt', name: withArgs.name } })).toMatchObject({
        ok: false,
        error: { code: WireErrorCode.BadRequest },
      });
    });
  });
});

describe('client input in reads and prompts', () => {
  const asking = definePrompt({
    name: 'asking',
    arguments: [{ name: 'topic' }],
    get: async (_args, ctx) => {
      const answer = await ctx.elicit(
        { message: 'Context?', requestedSchema: { type: 'object', properties: { context: { type: 'string' } } } },
        { key: 'user_context' },
      );
      return `Write about ${String(answer.content?.context)}`;
    },
    // The runtime object is a full context; the completer's type just does not offer the client methods.
    complete: {
      topic: (_value, ctx) => [String((ctx as unknown as ToolContext).clientSupports('elicitation/create'))],
    },
  });
  const client = {
    client: { era: '2025-11-25' as const, capabilities: { elicitation: {} } },
    send: async () => ({ action: 'accept', content: { context: 'tides' } }),
  };

  it('lets a prompt ask the client when the request named one', async () => {
    expect(await getPrompt(env([asking], { client }), { name: 'asking' })).toEqual({
      ok: true,
      result: { messages: [{ role: 'user', content: { type: 'text', text: 'Write about tides' } }] },
    });
    expect(await getPrompt(env([asking]), { name: 'asking' })).toMatchObject({
      ok: false,
      error: {
        code: WireErrorCode.ClientRequestFailed,
        message: 'prompts/get cannot send elicitation/create to the client',
      },
    });
  });

  it('never lets a completer ask the client', async () => {
    expect(
      await complete(env([asking], { client }), {
        ref: { type: 'ref/prompt', name: 'asking' },
        argument: { name: 'topic', value: '' },
      }),
    ).toMatchObject({
      ok: true,
      result: { completion: { values: ['false'] } },
    });
  });
});

describe('rpc deadlines and aborts', () => {
  const slow = defineResource({ uri: 'test://slow', name: 'slow', read: () => new Promise<string>(() => {}) });

  it('answers DEADLINE_EXCEEDED without waiting for the handler', async () => {
    const response = await readResource(env([slow], { deadline: Date.now() + 50 }), { uri: 'test://slow' });
    expect(response).toMatchObject({
      ok: false,
      error: {
        code: WireErrorCode.DeadlineExceeded,
        message: expect.stringContaining('resources/read of "test://slow" did not finish'),
      },
    });
  });
});
