import { createHash } from 'node:crypto';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { callTool, waitForProviders } from '../fixtures/placement-support.js';
import { postStatus } from '../support/security-helpers.js';

// Arguments and results larger than NATS max_payload (1 MiB) travel through the payload object store
// without the tool doing anything; above the hard limit (16 MiB here, 64 MiB by default) the caller
// gets a clear error — JSON-RPC on MCP, 413 on REST — never a hang or a cut.
const FIXTURE = 'test/fixtures/placement-tools.ts';
const MIB = 1024 * 1024;
const LIMIT = String(16 * MIB);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const text = (bytes: number) => 'payload-test-0123456789;'.repeat(Math.ceil(bytes / 24)).slice(0, bytes);

async function post(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('large payloads', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;
  let client: Client;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    // The body and string limits are raised so that the payload limit is the one these tests reach.
    gateway = await spawnGateway(nats.url, {
      EASYREMOTE_MAX_PAYLOAD_BYTES: LIMIT,
      EASYREMOTE_MAX_BODY_BYTES: String(40 * MIB),
      EASYREMOTE_MAX_STRING_LENGTH: String(40 * MIB),
    });
    node = await spawnNode(nats.url, [FIXTURE], {
      EASYREMOTE_NODE_ID: 'payloads',
      EASYREMOTE_MAX_PAYLOAD_BYTES: LIMIT,
      EASYREMOTE_NODE_GPUS: 'none',
    });
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await waitForProviders(gateway.url, 'place_big_result', 1);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await node?.stop();
    await gateway?.stop();
    await nats?.stop();
  });

  it('a 5 MiB result arrives intact (MCP and REST)', async () => {
    const result = await callTool(client, 'place_big_result', { bytes: 5 * MIB, seed: 3 });
    const data = result.structuredContent?.data as string;
    expect(result.isError).toBeFalsy();
    expect(data.length).toBe(5 * MIB);
    expect(sha256(data)).toBe(result.structuredContent?.sha256);
    expect(data.startsWith('3:0123456789')).toBe(true);
    const rest = await post(`${gateway.url}/mcp/tools/place_big_result`, JSON.stringify({ bytes: 5 * MIB, seed: 4 }));
    expect(rest.status).toBe(200);
    const restData = (rest.json.result as { data: string; sha256: string }).data;
    expect(restData.length).toBe(5 * MIB);
    expect(sha256(restData)).toBe((rest.json.result as { sha256: string }).sha256);
  }, 60_000);

  it('a 5 MiB argument arrives intact (MCP and REST)', async () => {
    const data = text(5 * MIB);
    const result = await callTool(client, 'place_big_argument', { data });
    expect(result.structuredContent).toEqual({ length: 5 * MIB, sha256: sha256(data) });
    const rest = await post(`${gateway.url}/mcp/tools/place_big_argument`, JSON.stringify({ data }));
    expect(rest).toEqual({
      status: 200,
      json: { result: { length: 5 * MIB, sha256: sha256(data) }, node: 'payloads' },
    });
  }, 60_000);

  it('a result over the hard limit is a clear error, not a hang or a cut', async () => {
    // 9 MiB of data is about 18 MiB of reply (the text content repeats the structured content).
    await expect(callTool(client, 'place_big_result', { bytes: 9 * MIB })).rejects.toMatchObject({
      code: -32603,
      message: expect.stringContaining('16777216-byte payload limit') as string,
      data: { code: 'NODE_ERR_RESULT_TOO_LARGE' },
    });
    const rest = await post(`${gateway.url}/mcp/tools/place_big_result`, JSON.stringify({ bytes: 9 * MIB }));
    expect(rest.status).toBe(413);
    expect(rest.json).toMatchObject({ error: { code: 'NODE_ERR_RESULT_TOO_LARGE' } });
  }, 60_000);

  it('an argument over the hard limit is a clear error (JSON-RPC -32602, REST 413)', async () => {
    const data = text(17 * MIB);
    await expect(callTool(client, 'place_big_argument', { data })).rejects.toMatchObject({
      code: -32602,
      data: { code: 'GW_ERR_PAYLOAD_TOO_LARGE' },
    });
    const rest = await post(`${gateway.url}/mcp/tools/place_big_argument`, JSON.stringify({ data }));
    expect(rest.status).toBe(413);
    expect(rest.json).toMatchObject({
      error: {
        code: 'GW_ERR_PAYLOAD_TOO_LARGE',
        message: expect.stringContaining('over the 16777216-byte limit') as string,
      },
    });
    // Over the HTTP body limit too: refused before anything reaches the mesh.
    // Announced, not fully sent: the 413 comes from Content-Length alone (no EPIPE race while writing 41 MiB).
    expect(
      await postStatus(`${gateway.url}/mcp/tools/place_big_argument`, JSON.stringify({ data: text(41 * MIB) }), {}),
    ).toBe(413);
  }, 60_000);
});
