import { describe, expect, it } from 'vitest';
import { errorMessage, idOf, messageKind, resultMessage, SerializedArray } from './answer-text.js';

describe('messageKind', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'ping' }, 'request'],
    [{ jsonrpc: '2.0', id: 'a', method: 'ping', params: {} }, 'request'],
    [{ jsonrpc: '2.0', method: 'notifications/initialized' }, 'notification'],
    [{ jsonrpc: '2.0', id: 1, result: {} }, 'response'],
    [{ jsonrpc: '1.0', id: 1, method: 'ping' }, 'invalid'],
    [{ jsonrpc: '2.0', id: null, method: 'ping' }, 'invalid'],
    [{ jsonrpc: '2.0', id: 1, method: 'ping', params: [1] }, 'invalid'],
    [{ jsonrpc: '2.0', id: {}, method: 'ping' }, 'invalid'],
    ['text', 'invalid'],
    [null, 'invalid'],
  ])('%j is %s', (message, kind) => {
    expect(messageKind(message)).toBe(kind);
  });
});

describe('messages', () => {
  it('echoes usable ids only', () => {
    expect(idOf({ id: 7 })).toBe(7);
    expect(idOf({ id: { x: 1 } })).toBeNull();
    expect(JSON.parse(errorMessage(null, -32700, 'Parse error'))).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    });
  });
});

describe('resultMessage with pre-serialised arrays', () => {
  it('produces exactly what serialising the plain result produces', () => {
    const tools = [
      { name: 'echo', inputSchema: { type: 'object' } },
      { name: 'q"uote', description: 'ünïcode \u2028' },
    ];
    const page = new SerializedArray(tools);
    const result = { resultType: 'complete', tools: page, nextCursor: 'abc', skipped: undefined, _meta: { a: 1 } };
    const plain = { resultType: 'complete', tools, nextCursor: 'abc', _meta: { a: 1 } };
    for (const id of [1, 'x"y']) {
      expect(resultMessage(id, result)).toBe(JSON.stringify({ jsonrpc: '2.0', id, result: plain }));
      expect(JSON.parse(resultMessage(id, result))).toEqual({ jsonrpc: '2.0', id, result: plain });
    }
    expect(JSON.stringify({ page })).toBe(JSON.stringify({ page: tools }));
  });

  it('serialises its items once, however many answers carry it', () => {
    let serialised = 0;
    const page = new SerializedArray([{ toJSON: () => (serialised++, 'item') }]);
    expect([page.text, page.text, resultMessage(1, { tools: page }), resultMessage(2, { tools: page })]).toEqual([
      '["item"]',
      '["item"]',
      '{"jsonrpc":"2.0","id":1,"result":{"tools":["item"]}}',
      '{"jsonrpc":"2.0","id":2,"result":{"tools":["item"]}}',
    ]);
    expect(serialised).toBe(1);
  });
});
