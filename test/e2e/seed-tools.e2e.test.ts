import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMesh } from '@easyremote/mesh';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { uploadDataSet } from '@easyremote/toolbox';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeServer } from '../fixtures/fake-openai.js';
import { connectClient } from '../support/mcp-clients.js';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { runsWith } from '../support/optional-tools.js';
import { TaskClient } from '../support/task-client.js';

interface CallResult {
  content: Array<{ type: string; text?: string; mimeType?: string; data?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** A CSV with a known linear relation and awkward fields (quotes, commas, an embedded newline). */
function salesCsv(rows: number): string {
  const lines = ['region,units,price,revenue,note'];
  for (let i = 0; i < rows; i += 1) {
    const units = (i * 7919) % 101;
    const price = 5 + ((i * 104729) % 1000) / 100;
    lines.push(
      `${['north', 'south', 'east', 'west'][i % 4]},${units},${price},${(units * price).toFixed(2)},${i % 50 === 0 ? '"multi\nline, ""quoted"""' : 'ok'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The seed's four tools, served by two toolbox node processes (`easyremote node @easyremote/toolbox`)
// behind a gateway process, called by an MCP SDK client: the seed's argument and result fields.
describe('the seed tools through a gateway', () => {
  let nats: NatsServerHandle;
  let llm: FakeServer;
  let gateway: GatewayProcess;
  let nodes: AppProcess[] = [];
  let client: Client;
  const dataDir = mkdtempSync(join(tmpdir(), 'easyremote-seed-data-'));
  const csv = salesCsv(1_200);

  beforeAll(async () => {
    writeFileSync(join(dataDir, 'sales.csv'), csv);
    nats = await startNats({ path: process.env.PATH });
    llm = await startFakeOpenAi({ apiKey: 'sk-e2e', models: ['llama3'] });
    const nc = await connectMesh({ servers: nats.url });
    try {
      await uploadDataSet(nc, join(dataDir, 'sales.csv'), { id: 'sales-q3.csv' });
    } finally {
      await nc.close();
    }
    const common = {
      EASYREMOTE_DATA_DIR: dataDir,
      EASYREMOTE_IMAGE_ALLOW_CPU: '1',
      EASYREMOTE_SANDBOX_MAX_TIMEOUT_S: '20',
    };
    const llmEnv = {
      EASYREMOTE_LLM_BASE_URL: `${llm.url}/v1`,
      EASYREMOTE_LLM_API_KEY: 'sk-e2e',
      EASYREMOTE_LLM_MODELS: 'llama3',
    };
    [gateway, ...nodes] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(nats.url, ['@easyremote/toolbox'], { ...common, ...llmEnv, EASYREMOTE_NODE_ID: 'seed-a' }),
      spawnNode(nats.url, ['@easyremote/toolbox'], { ...common, EASYREMOTE_NODE_ID: 'seed-b' }),
    ]);
    client = await connectClient(gateway.mcpUrl, '2025-11-25');
    await until(async () => {
      const { tools } = await client.listTools();
      return [
        'distributed_llm_inference',
        'parallel_data_processing',
        'distributed_image_generation',
        'distributed_code_execution',
      ].every((name) => tools.some((tool) => tool.name === name));
    }, 10_000);
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([gateway?.stop(), ...nodes.map((node) => node.stop())]);
    await llm?.close();
    await nats?.stop();
  });

  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallResult;

  it('advertises the seed tools with their schemas, placement requirements and fan-out', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get('distributed_llm_inference')?.inputSchema).toMatchObject({
      properties: { prompt: {}, model: {}, max_tokens: { default: 1000 }, temperature: { default: 0.7 } },
      required: expect.arrayContaining(['prompt']),
    });
    expect(byName.get('parallel_data_processing')?.inputSchema).toMatchObject({
      properties: {
        processing_type: { enum: ['statistical', 'ml', 'custom'] },
        chunk_size: { default: 1000 },
        output_format: { default: 'json' },
      },
    });
    expect(byName.get('distributed_image_generation')?.inputSchema).toMatchObject({
      properties: {
        prompts: { type: 'array' },
        style: { default: 'realistic' },
        resolution: { default: '1024x1024' },
        num_images_per_prompt: { default: 1 },
      },
    });
    expect(byName.get('distributed_code_execution')?.outputSchema).toMatchObject({
      properties: { output: {}, errors: {}, execution_time: {}, exit_code: {}, node_used: {} },
    });
    const rest = (await (await fetch(`${gateway.url}/mcp/tools`)).json()) as {
      tools: Array<{ name: string; provider?: string; providers?: string[] }>;
    };
    expect(rest.tools.find((tool) => tool.name === 'distributed_llm_inference')?.providers).toEqual(['seed-a']);
  });

  it('distributed_llm_inference answers from the node with the backend (fake OpenAI server)', async () => {
    const result = await call('distributed_llm_inference', { prompt: 'Analyze the Q3 sales data', max_tokens: 500 });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      text: 'Echo from llama3: Analyze the Q3 sales data',
      tokens_generated: 8,
      model_used: 'llama3',
      execution_time: expect.any(Number),
    });
    expect(result._meta?.['easyremote/node']).toBe('seed-a');
    expect(llm.requests.at(-1)).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-e2e' },
      body: { model: 'llama3', max_tokens: 500, temperature: 0.7 },
    });
    const unserved = await call('distributed_llm_inference', { prompt: 'hi', model: 'gpt-4' });
    expect(unserved.isError).toBe(true);
  });

  it('parallel_data_processing fans chunks out over both nodes and merges exactly', async () => {
    const single = await call('parallel_data_processing', {
      dataset_path: 'easyremote://data/sales-q3.csv',
      processing_type: 'statistical',
      chunk_size: 100_000,
    });
    expect(single.structuredContent).toMatchObject({ chunks_processed: 1, nodes_used: 1, output_format: 'json' });
    const fanned = await call('parallel_data_processing', {
      dataset_path: 'easyremote://data/sales-q3.csv',
      processing_type: 'statistical',
      chunk_size: 50,
    });
    expect(fanned.isError).toBeFalsy();
    expect(fanned.structuredContent).toMatchObject({
      chunks_processed: 24,
      output_format: 'json',
      processing_time: expect.any(Number),
    });
    expect(fanned.structuredContent?.nodes_used).toBeGreaterThanOrEqual(1);
    expect(fanned.structuredContent?.processed_data).toEqual(single.structuredContent?.processed_data);
    expect(fanned._meta?.['easyremote/fanout']).toMatchObject({ chunks: 24 });
    const stats = fanned.structuredContent?.processed_data as {
      rows: number;
      columns: Array<{ column: string; count: number }>;
    };
    expect(stats.rows).toBe(1200);
    expect(stats.columns.map((column) => column.column)).toEqual(['region', 'units', 'price', 'revenue', 'note']);

    const model = await call('parallel_data_processing', {
      dataset_path: 'sales.csv',
      processing_type: 'ml',
      target: 'revenue',
      features: ['units', 'price'],
      chunk_size: 200,
      output_format: 'json',
    });
    expect(model.structuredContent).toMatchObject({
      chunks_processed: 6,
      processed_data: { model: 'linear_regression', target: 'revenue', rows_used: 1200 },
    });
    const rows = await call('parallel_data_processing', {
      dataset_path: 'sales.csv',
      processing_type: 'custom',
      function: 'row_count',
      chunk_size: 100,
      output_format: 'csv',
    });
    expect(rows.structuredContent).toMatchObject({
      processed_data: 'rows\r\n1200\r\n',
      chunks_processed: 12,
      output_format: 'csv',
    });
  });

  it('distributed_image_generation fans prompts out and returns PNG image content', async () => {
    const result = await call('distributed_image_generation', {
      prompts: ['a red fox', 'a blue whale', 'a green forest'],
      resolution: '96x64',
      num_images_per_prompt: 1,
    });
    expect(result.isError).toBeFalsy();
    const images = result.content.filter((block) => block.type === 'image');
    expect(images).toHaveLength(3);
    for (const image of images) {
      expect(image.mimeType).toBe('image/png');
      const png = Buffer.from(image.data!, 'base64');
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([96, 64]);
    }
    expect(result.structuredContent?.metadata).toMatchObject({
      total_images: 3,
      prompts_processed: 3,
      style: 'realistic',
      resolution: '96x64',
      renderer: 'procedural',
    });
    expect((result.structuredContent?.images as Array<{ prompt: string }>).map((image) => image.prompt)).toEqual([
      'a red fox',
      'a blue whale',
      'a green forest',
    ]);
  });

  it('distributed_image_generation at the seed default resolution returns results past the 1 MiB NATS payload', async () => {
    const prompts = [
      'a lighthouse at dusk',
      'a desert at noon',
      'a city at night',
      'a forest in fog',
      'a harbour at dawn',
      'a glacier',
      'a volcano',
      'a meadow',
    ];
    const result = await call('distributed_image_generation', { prompts, num_images_per_prompt: 1 });
    expect(result.isError).toBeFalsy();
    const images = result.content.filter((block) => block.type === 'image');
    expect(images).toHaveLength(8);
    const bytes = images.reduce((total, image) => total + image.data!.length, 0);
    expect(bytes).toBeGreaterThan(1024 * 1024);
    for (const image of images) expect(Buffer.from(image.data!, 'base64').readUInt32BE(16)).toBe(1024);
  });

  it('distributed_image_generation runs as a durable task for a client that declares tasks, its images past 1 MiB kept whole', async () => {
    const tasks = new TaskClient(gateway.mcpUrl);
    const prompts = [
      'a lighthouse',
      'a desert',
      'a city',
      'a forest',
      'a harbour',
      'a glacier',
      'a volcano',
      'a meadow',
    ];
    const created = await tasks.callTool('distributed_image_generation', { prompts, num_images_per_prompt: 1 });
    expect(created.resultType).toBe('task');
    const done = await tasks.waitForEnd(String(created.taskId), 120_000);
    expect(done.status).toBe('completed');
    const result = done.result as CallResult;
    const images = result.content.filter((block) => block.type === 'image');
    expect(images).toHaveLength(8);
    expect(images.reduce((total, image) => total + image.data!.length, 0)).toBeGreaterThan(1024 * 1024);
    for (const image of images) expect(Buffer.from(image.data!, 'base64').readUInt32BE(16)).toBe(1024);
    expect((result.structuredContent?.images as Array<{ prompt: string }>).map((image) => image.prompt)).toEqual(
      prompts,
    );
  });

  it.runIf(runsWith('bubblewrap'))(
    'distributed_code_execution runs in the sandbox, contains an attack, and keeps serving',
    async () => {
      const result = await call('distributed_code_execution', {
        code: 'print(sum(range(10)))',
        language: 'python',
        requirements: { memory: '4GB', timeout: 300 },
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        output: '45\n',
        errors: '',
        exit_code: 0,
        sandbox: 'bubblewrap',
        execution_time: expect.any(Number),
      });
      expect(['seed-a', 'seed-b']).toContain(result.structuredContent?.node_used);
      expect((result.structuredContent?.limits as { clamped: string[] }).clamped).toHaveLength(2);

      const attack = await call('distributed_code_execution', {
        code: 'import socket\ntry:\n    socket.create_connection(("127.0.0.1", 4222), timeout=2)\n    print("connected")\nexcept OSError as error:\n    print("blocked", type(error).__name__)',
        language: 'python',
      });
      expect(attack.structuredContent?.output).toMatch(/^blocked /);
      const next = await call('distributed_code_execution', { code: 'echo still serving', language: 'bash' });
      expect(next.structuredContent).toMatchObject({ output: 'still serving\n', exit_code: 0 });
    },
  );
});
