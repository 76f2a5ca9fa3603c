import { classifyInboundRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { InboundClassifier, type InboundHeaders } from './inbound-classifier.js';
import { MODERN_VERSIONS } from './server-info.js';

const MODERN = '2026-07-28';
const envelope = (extra: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
  ...extra,
});
const call = (id: unknown, meta?: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'hi' }, ...(meta === undefined ? {} : { _meta: meta }) },
  ...extra,
});
const modernHeaders: InboundHeaders = { protocolVersion: MODERN, method: 'tools/call', name: 'echo' };
const none: InboundHeaders = { protocolVersion: undefined, method: undefined, name: undefined };

function sdk(body: unknown, headers: InboundHeaders) {
  return classifyInboundRequest({
    httpMethod: 'POST',
    body,
    ...(headers.protocolVersion === undefined ? {} : { protocolVersionHeader: headers.protocolVersion }),
    ...(headers.method === undefined ? {} : { mcpMethodHeader: headers.method }),
    ...(headers.name === undefined ? {} : { mcpNameHeader: headers.name }),
  });
}

/** What callers of the classification read: the route, and for rejections the status and code. */
function verdict(route: ReturnType<typeof classifyInboundRequest>): unknown {
  if (route.kind === 'reject')
    return { kind: route.kind, status: route.httpStatus, code: route.code, message: route.message };
  if (route.kind === 'modern') return { kind: route.kind, messageKind: route.messageKind, message: route.message };
  return {
    kind: route.kind,
    reason: route.reason,
    requestedVersion: (route as { requestedVersion?: string }).requestedVersion,
  };
}

const cases: Array<[string, unknown, InboundHeaders]> = [
  ['legacy call, no header', call(1), none],
  ['legacy call, legacy header', call('a', { progressToken: 7 }), { ...none, protocolVersion: '2025-11-25' }],
  ['legacy call, unknown header version', call(2), { ...none, protocolVersion: '1999-01-01' }],
  ['modern call', call(3, envelope()), modernHeaders],
  [
    'modern call, new progress token and traceparent',
    call(4, envelope({ progressToken: 'p-9', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })),
    modernHeaders,
  ],
  ['modern call, log level', call(5, envelope({ 'io.modelcontextprotocol/logLevel': 'debug' })), modernHeaders],
  ['modern call, bad log level', call(6, envelope({ 'io.modelcontextprotocol/logLevel': 'loud' })), modernHeaders],
  [
    'modern call, client info missing',
    call(7, { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} }),
    modernHeaders,
  ],
  [
    'modern call, client info malformed',
    call(8, envelope({ 'io.modelcontextprotocol/clientInfo': 'me' })),
    modernHeaders,
  ],
  [
    'modern call, header names another version',
    call(9, envelope()),
    { ...modernHeaders, protocolVersion: '2025-11-25' },
  ],
  ['modern call, Mcp-Method disagrees', call(10, envelope()), { ...modernHeaders, method: 'tools/list' }],
  ['modern header without an envelope', call(11), modernHeaders],
  ['modern header with whitespace', call(12, envelope()), { ...modernHeaders, protocolVersion: ` ${MODERN} ` }],
  [
    'claim naming an unknown version',
    call(13, envelope({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' })),
    modernHeaders,
  ],
  [
    'claim that is not a string',
    call(14, envelope({ 'io.modelcontextprotocol/protocolVersion': 2026 })),
    modernHeaders,
  ],
  ['_meta that is an array', call(15, [1]), none],
  ['fractional id', call(1.5), none],
  ['null id', call(null), none],
  ['extra top-level key', call(16, undefined, { result: {} }), none],
  ['params that are an array', { jsonrpc: '2.0', id: 17, method: 'tools/list', params: [] }, none],
  [
    'initialize',
    {
      jsonrpc: '2.0',
      id: 18,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    },
    none,
  ],
  ['notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, none],
  ['response', { jsonrpc: '2.0', id: 19, result: {} }, none],
  ['batch', [call(20)], none],
  ['not JSON-RPC', { hello: 'world' }, none],
];

describe('InboundClassifier', () => {
  it.each(cases)('agrees with the SDK: %s (first sight and when remembered)', (_name, body, headers) => {
    const classifier = new InboundClassifier(MODERN_VERSIONS);
    const expected = verdict(sdk(body, headers));
    expect(verdict(classifier.classify(body, headers))).toEqual(expected);
    // The second time the envelope may be remembered: the verdict must not change.
    expect(verdict(classifier.classify(structuredClone(body), headers))).toEqual(expected);
  });

  it('remembers an accepted envelope across requests whose per-request values differ, and never a refused one', () => {
    const classifier = new InboundClassifier(MODERN_VERSIONS);
    for (let i = 0; i < 5; i++) {
      const body = call(i, envelope({ progressToken: `t-${i}` }));
      expect(classifier.classify(body, modernHeaders)).toMatchObject({ kind: 'modern', message: body });
    }
    // Same keys, one nested value different and invalid: not mistaken for the remembered envelope.
    const nested = call(
      98,
      envelope({ progressToken: 't-x', 'io.modelcontextprotocol/clientInfo': { name: 5, version: '1.0.0' } }),
    );
    expect(verdict(classifier.classify(nested, modernHeaders))).toEqual(verdict(sdk(nested, modernHeaders)));
    expect(classifier.classify(nested, modernHeaders).kind).toBe('reject');
    // A per-request value of another type is not the remembered envelope either.
    const numberTrace = call(97, envelope({ progressToken: 't-y', traceparent: 5 }));
    expect(verdict(classifier.classify(numberTrace, modernHeaders))).toEqual(verdict(sdk(numberTrace, modernHeaders)));
    const refused = call(99, envelope({ 'io.modelcontextprotocol/clientCapabilities': 'none' }));
    expect(classifier.classify(refused, modernHeaders).kind).toBe('reject');
    expect(classifier.classify(refused, modernHeaders).kind).toBe('reject');
  });
});
