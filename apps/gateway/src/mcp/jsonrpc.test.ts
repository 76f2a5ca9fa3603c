import { describe, expect, it } from 'vitest';
import { errorMessage, idOf, jsonRpcKind } from './jsonrpc.js';

describe('jsonRpcKind', () => {
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
    expect(jsonRpcKind(message)).toBe(kind);
  });
});

describe('messages', () => {
  it('echoes usable ids only', () => {
    expect(idOf({ id: 7 })).toBe(7);
    expect(idOf({ id: { x: 1 } })).toBeNull();
    expect(JSON.parse(errorMessage(null, -32700, 'Parse error'))).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  });
});
