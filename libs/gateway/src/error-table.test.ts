import { AuthErrorCode } from '@easyremote/auth';
import { EasyRemoteError, WireErrorCode } from '@easyremote/protocol';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { renderableFailure, renderedCodes, renderingOf } from './error-table.js';
import { GatewayError, GatewayErrorCode } from './errors.js';

describe('the error table', () => {
  it('names every gateway code and every code a node puts on the wire', () => {
    const named = new Set(renderedCodes());
    const missing = [...Object.values(GatewayErrorCode), ...Object.values(WireErrorCode)].filter(
      (code) => !named.has(code),
    );
    expect(missing).toEqual([]);
  });

  it('gives every code an HTTP error status and a JSON-RPC error code', () => {
    for (const code of renderedCodes()) {
      const { http, jsonRpc } = renderingOf(code);
      expect(http, code).toBeGreaterThanOrEqual(400);
      expect(http, code).toBeLessThan(600);
      expect(jsonRpc, code).toBeLessThanOrEqual(-32000);
    }
  });

  it('renders the request-level failures as protocol errors and the call-level ones as tool errors', () => {
    expect(renderingOf(GatewayErrorCode.ToolNotFound)).toEqual({
      http: 404,
      jsonRpc: ProtocolErrorCode.InvalidParams,
      toolError: false,
      mcpHttp: 200,
    });
    expect(renderingOf(WireErrorCode.PayloadTooLarge)).toEqual({
      http: 413,
      jsonRpc: ProtocolErrorCode.InvalidParams,
      toolError: false,
      mcpHttp: 200,
    });
    expect(renderingOf(WireErrorCode.ResultTooLarge)).toEqual({
      http: 413,
      jsonRpc: ProtocolErrorCode.InternalError,
      toolError: false,
      mcpHttp: 200,
    });
    expect(renderingOf(GatewayErrorCode.AuditFailed).toolError).toBe(false);
    expect(renderingOf(GatewayErrorCode.Timeout)).toEqual({
      http: 504,
      jsonRpc: ProtocolErrorCode.InternalError,
      toolError: true,
      mcpHttp: 200,
    });
    expect(renderingOf(GatewayErrorCode.NoNode)).toMatchObject({ http: 503, toolError: true });
    expect(renderingOf(WireErrorCode.InvalidArguments)).toMatchObject({ http: 400, toolError: true });
  });

  it('renders refusals by credentials and limits as errors with the statuses the MCP authorization spec gives', () => {
    expect(renderingOf(AuthErrorCode.Unauthenticated)).toEqual({
      http: 401,
      jsonRpc: -32000,
      toolError: false,
      mcpHttp: 401,
    });
    expect(renderingOf(AuthErrorCode.InsufficientScope)).toEqual({
      http: 403,
      jsonRpc: -32000,
      toolError: false,
      mcpHttp: 403,
    });
    expect(renderingOf(AuthErrorCode.RateLimited)).toEqual({
      http: 429,
      jsonRpc: -32000,
      toolError: false,
      mcpHttp: 200,
    });
  });

  it("renders a tool author's own code as a failure of the tool, upstream", () => {
    expect(renderingOf('BILLING_ERR_QUOTA')).toEqual({
      http: 502,
      jsonRpc: ProtocolErrorCode.InternalError,
      toolError: true,
      mcpHttp: 200,
    });
  });

  it('answers a thrown error with its own code only when the table names it', () => {
    expect(
      renderableFailure(new GatewayError(GatewayErrorCode.InvalidPlacement, 'bad placement', { data: { key: 'gpu' } })),
    ).toEqual({
      code: GatewayErrorCode.InvalidPlacement,
      message: 'bad placement',
      data: { key: 'gpu' },
    });
    expect(renderableFailure(new EasyRemoteError('MESH_ERR_SOMETHING', 'internal detail'))).toBeUndefined();
    expect(renderableFailure(new Error('boom'))).toBeUndefined();
    // Internal failures keep their details in the log.
    expect(renderableFailure(new GatewayError(GatewayErrorCode.Internal, 'stack detail'))).toBeUndefined();
    expect(renderableFailure(new GatewayError(GatewayErrorCode.Config, 'PORT="x"'))).toBeUndefined();
    expect(
      renderableFailure({ code: GatewayErrorCode.Timeout, message: 'a plain object is not an error' }),
    ).toBeUndefined();
  });
});
