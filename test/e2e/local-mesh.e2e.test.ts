import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type AppProcess } from '../support/processes.js';

// One local mesh, found by every command: `easyremote dev` publishes a state file; `node`, `keys`,
// `audit` and `report` use it when NATS_URL / the gateway URL are unset, and say on their first
// stderr line which server they talk to. With no state file and no NATS_URL a command that creates
// streams refuses instead of using whatever listens on the default port. The dev data directory
// makes a local dataset_path work.
interface DevState {
  pid: number;
  natsUrl: string;
  gatewayUrl: string;
  apiKey: string;
  dataDir: string;
}

const NO_NATS = {
  NATS_URL: undefined,
  EASYREMOTE_GATEWAY_URL: undefined,
  EASYREMOTE_GATEWAY: undefined,
  EASYREMOTE_API_KEY: undefined,
};

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs a one-shot command to its end: exit code, stdout and stderr lines apart. */
async function command(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
  const app = runCli(args, { LOG_LEVEL: 'warn', ...NO_NATS, ...env });
  const stderr: string[] = [];
  const stdout: string[] = [];
  app.child.stderr!.on('data', (chunk: Buffer) => stderr.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  app.child.stdout!.on('data', (chunk: Buffer) => stdout.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const [code] = (await once(app.child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('one local mesh, found by every command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easyremote-local-mesh-'));
  const statePath = join(dir, 'state', 'dev.json');
  const dataDir = join(dir, 'data');
  const env = { EASYREMOTE_STATE_FILE: statePath };
  let dev: AppProcess;
  let node: AppProcess | undefined;
  let state: DevState;

  beforeAll(async () => {
    dev = runCli(['dev'], { ...NO_NATS, ...env, EASYREMOTE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' });
    await until(() => existsSync(statePath), 'easyremote dev writes its state file', 30_000);
    state = JSON.parse(readFileSync(statePath, 'utf8')) as DevState;
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await dev?.stop();
  });

  it('dev names its NATS server first and publishes how to reach the mesh', () => {
    expect(dev.lines[0]).toBe(`easyremote dev: NATS ${state.natsUrl} (its own nats-server on a free port)`);
    expect(state).toMatchObject({
      pid: dev.child.pid,
      dataDir,
      apiKey: expect.stringMatching(/^erk_/),
      gatewayUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(dev.lines.join('\n')).toContain(`Data sets:     ${dataDir}`);
  });

  it('keys and report find it without NATS_URL and say so on their first stderr line', async () => {
    const keys = await command(['keys', 'list'], env);
    expect(keys.code).toBe(0);
    expect(keys.stderr[0]).toBe(
      `easyremote keys: NATS ${state.natsUrl} (from the running easyremote dev (pid ${state.pid}, ${statePath}))`,
    );
    expect(keys.stdout.join('\n')).toContain('easyremote dev');

    const report = await command(['report', '--json'], env);
    expect(report.code).toBe(0);
    expect(report.stderr[0]).toBe(
      `easyremote report: gateway ${state.gatewayUrl} (from the running easyremote dev (pid ${state.pid}, ${statePath}))`,
    );
    expect(JSON.parse(report.stdout.join('\n'))).toMatchObject({ period: '24h', total_tool_calls: expect.any(Number) });
  });

  it('a node started without NATS_URL joins the dev mesh', async () => {
    node = runCli(['node', 'test/fixtures/test-tools.ts'], { ...NO_NATS, ...env, EASYREMOTE_NODE_ID: 'found-node' });
    await node.waitForLog('node serving');
    expect(node.lines[0]).toBe(
      `easyremote node: NATS ${state.natsUrl} (from the running easyremote dev (pid ${state.pid}, ${statePath}))`,
    );
    const headers = { authorization: `Bearer ${state.apiKey}`, 'content-type': 'application/json' };
    await until(async () => {
      const listed = (await (await fetch(`${state.gatewayUrl}/mcp/tools`, { headers })).json()) as {
        tools: Array<{ name: string }>;
      };
      return listed.tools.some((tool) => tool.name === 'fixture.add');
    }, 'the dev gateway lists the node’s tool');
    const call = await fetch(`${state.gatewayUrl}/mcp/tools/fixture.add`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ a: 2, b: 3 }),
    });
    expect(await call.json()).toMatchObject({ result: { sum: 5 }, node: 'found-node' });
  });

  it('the dev data directory serves a local dataset_path', async () => {
    writeFileSync(join(dataDir, 'sales.csv'), 'region,units\nnorth,3\nsouth,4\n');
    const headers = { authorization: `Bearer ${state.apiKey}`, 'content-type': 'application/json' };
    const response = await fetch(`${state.gatewayUrl}/mcp/tools/parallel_data_processing`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ dataset_path: 'sales.csv', processing_type: 'custom', function: 'row_count' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { processed_data: { rows: 2 }, chunks_processed: 1 } });
  });

  it('with no NATS_URL and no running dev, audit and keys refuse: nothing is created on the default port', async () => {
    const nowhere = { EASYREMOTE_STATE_FILE: join(dir, 'absent', 'dev.json') };
    for (const args of [
      ['audit', '--since', '1h'],
      ['keys', 'list'],
    ]) {
      const run = await command(args, nowhere);
      expect(run.code).toBe(1);
      expect(run.stderr).toHaveLength(1);
      expect(run.stderr[0]).toMatch(
        /^easyremote: no mesh to talk to: NATS_URL is not set and no easyremote dev is running .*\[MESH_ERR_NO_MESH\]$/,
      );
      expect(run.stdout).toEqual([]);
    }
  });

  it('a state file left by a process that is gone is ignored; dev removes its own on exit', async () => {
    const stale = join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ ...state, pid: 2 ** 22 + 12_345 }));
    const run = await command(['keys', 'list'], { EASYREMOTE_STATE_FILE: stale });
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toContain('MESH_ERR_NO_MESH');
    await node?.stop();
    node = undefined;
    await dev.stop();
    expect(existsSync(statePath)).toBe(false);
  });
});
