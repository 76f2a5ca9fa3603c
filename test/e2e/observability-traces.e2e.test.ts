import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value?: Record<string, unknown>;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

const SpanKind = { internal: 1, server: 2, client: 3 } as const;

/** OTLP/HTTP JSON ids are hex; accept base64 too. */
function hex(id: unknown): string {
  if (typeof id !== 'string' || id === '') return '';
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

function attributeValue(value: Record<string, unknown> | undefined): unknown {
  if (!value) return undefined;
  return value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
}

/** A minimal OTLP/HTTP receiver (JSON encoding): collects every span POSTed to /v1/traces. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpan of body.resourceSpans ?? []) {
          const service = attributeValue(
            resourceSpan.resource?.attributes?.find((a) => a.key === 'service.name')?.value,
          ) as string;
          for (const scope of resourceSpan.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: hex(span.traceId),
                spanId: hex(span.spanId),
                parentSpanId: hex(span.parentSpanId),
                name: span.name,
                kind: span.kind,
                attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, attributeValue(a.value)])),
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

/** What the receiver got so far, for timeout messages. */
let receivedForDebug: ReceivedSpan[] = [];
async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; received: ${JSON.stringify(receivedForDebug.map((s) => [s.service, s.name, s.traceId]))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Gateway and node processes export to an OTLP receiver in this process: a tools/call continuing a
// client's traceparent is one connected trace across both processes; a fan-out shows a span per chunk.
describe('observability: one trace across gateway and node', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let client: Client;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    receivedForDebug = receiver.spans;
    nats = await startNats({ path: process.env.PATH });
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url, { ...otel, EASYREMOTE_AUTH: 'off' }),
      spawnNode(nats.url, ['test/fixtures/test-tools.ts', 'test/fixtures/observability-tools.ts'], {
        ...otel,
        EASYREMOTE_NODE_ID: 'trace-node',
      }),
    ]);
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
    receiver?.server.close();
  });

  it("continues the client's traceparent: HTTP SERVER → NATS CLIENT → node SERVER → handler, in two processes", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpanId = '00f067aa0ba902b7';
    const result = await client.callTool({
      name: 'fixture.add',
      arguments: { a: 1, b: 2 },
      _meta: { traceparent: `00-${traceId}-${clientSpanId}-01` },
    });
    expect(result.structuredContent).toEqual({ sum: 3 });

    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    const handler = await waitFor(
      () => inTrace().find((span) => span.name === 'handler fixture.add'),
      'the handler span',
    );
    const serve = await waitFor(
      () => inTrace().find((span) => span.name === 'serve fixture.add'),
      'the node SERVER span',
    );
    const call = await waitFor(
      () => inTrace().find((span) => span.name === 'call fixture.add'),
      'the NATS CLIENT span',
    );
    const http = await waitFor(
      () => inTrace().find((span) => span.kind === SpanKind.server && span.service === 'easyremote-gateway'),
      'the HTTP SERVER span',
    );

    expect(http).toMatchObject({ service: 'easyremote-gateway', name: 'POST /mcp', parentSpanId: clientSpanId });
    expect(http.attributes['rpc.method']).toBe('tools/call');
    expect(call).toMatchObject({ service: 'easyremote-gateway', kind: SpanKind.client, parentSpanId: http.spanId });
    expect(call.attributes['easyremote.tool']).toBe('fixture.add');
    expect(serve).toMatchObject({ service: 'easyremote-node', kind: SpanKind.server, parentSpanId: call.spanId });
    expect(serve.attributes['easyremote.node_id']).toBe('trace-node');
    expect(handler).toMatchObject({ service: 'easyremote-node', kind: SpanKind.internal, parentSpanId: serve.spanId });
    // Every span of the trace hangs off another span of it (or the client's).
    const ids = new Set([clientSpanId, ...inTrace().map((span) => span.spanId)]);
    expect(inTrace().every((span) => ids.has(span.parentSpanId))).toBe(true);
    expect(new Set(inTrace().map((span) => span.service))).toEqual(new Set(['easyremote-gateway', 'easyremote-node']));
  });

  it('a fan-out call shows one CLIENT span per chunk, each continued on the node', async () => {
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    const result = await client.callTool({
      name: 'obs_squares',
      arguments: { numbers: [1, 2, 3, 4, 5] },
      _meta: { traceparent: `00-${traceId}-1111222233334444-01` },
    });
    expect(result.structuredContent).toEqual({ total: 55 });
    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    // Each process exports on its own schedule: wait for both sides.
    await waitFor(
      () => (inTrace().filter((span) => span.name.startsWith('handler obs_squares')).length >= 3 ? true : undefined),
      'three chunk handlers',
    );
    const chunkSpans = () =>
      inTrace().filter((span) => span.kind === SpanKind.client && span.name.startsWith('call obs_squares chunk'));
    await waitFor(() => (chunkSpans().length >= 3 ? true : undefined), 'three chunk CLIENT spans');
    const http = await waitFor(() => inTrace().find((span) => span.name === 'POST /mcp'), 'the HTTP SERVER span');
    const chunks = chunkSpans();
    expect(chunks.map((span) => span.name).sort()).toEqual([
      'call obs_squares chunk 1/3',
      'call obs_squares chunk 2/3',
      'call obs_squares chunk 3/3',
    ]);
    for (const chunk of chunks) {
      expect(chunk.parentSpanId).toBe(http.spanId);
      const serve = inTrace().find((span) => span.kind === SpanKind.server && span.parentSpanId === chunk.spanId);
      expect(serve).toMatchObject({ service: 'easyremote-node', name: 'serve obs_squares' });
      expect(inTrace().some((span) => span.name === 'handler obs_squares' && span.parentSpanId === serve!.spanId)).toBe(
        true,
      );
    }
  });
});
