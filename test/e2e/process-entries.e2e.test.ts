import { spawnSync } from 'node:child_process';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, firstText } from '../support/mcp-clients.js';
import { GATEWAY_APP, TOOLBOX_APP, runProgram, type AppProcess } from '../support/processes.js';

// apps/gateway and apps/toolbox are processes of their own (ADR 0021): `easyremote-gateway` and
// `easyremote-toolbox` read their settings from the environment, serve, stop on SIGTERM, and refuse a
// bad setting with one message naming it and its stable code, never a stack.
describe('the gateway and toolbox programs', () => {
  let nats: NatsServerHandle;
  let gateway: AppProcess;
  let toolbox: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = runProgram(GATEWAY_APP, [], { NATS_URL: nats.url, PORT: '0', EASYREMOTE_AUTH: 'off' });
    toolbox = runProgram(TOOLBOX_APP, [], { NATS_URL: nats.url, EASYREMOTE_NODE_ID: 'toolbox-app' });
    await Promise.all([gateway.waitForLog('gateway listening'), toolbox.waitForLog('node serving')]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.kill(), toolbox?.kill()]);
    await nats?.stop();
  });

  it('an MCP client calls a toolbox tool through them, and both stop cleanly on SIGTERM', async () => {
    const mcpUrl = String((await gateway.waitForLog('gateway listening')).url);
    const client = await connectClient(mcpUrl, '2026-07-28');
    try {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'from the apps' } });
      expect(JSON.parse(firstText(result))).toEqual({ text: 'from the apps' });
      const served = await toolbox.waitForLog('node serving');
      expect(served.nodeId).toBe('toolbox-app');
    } finally {
      await client.close();
    }
    expect(await toolbox.stop()).toBe(0);
    expect(await gateway.stop()).toBe(0);
  });

  it.each([
    { app: GATEWAY_APP, name: 'easyremote-gateway', env: { PORT: 'eighty' }, code: 'GW_ERR_CONFIG' },
    {
      app: TOOLBOX_APP,
      name: 'easyremote-toolbox',
      env: { EASYREMOTE_MAX_CONCURRENCY: 'many' },
      code: 'NODE_SDK_ERR_INVALID_OPTIONS',
    },
    {
      app: TOOLBOX_APP,
      name: 'easyremote-toolbox',
      env: { EASYREMOTE_SANDBOX_MAX_MEMORY: 'lots' },
      code: 'TOOLBOX_ERR_INVALID_CONFIG',
    },
  ])('$name refuses a bad setting: exit 1, one message ending in $code', ({ app, name, env, code }) => {
    const run = spawnSync(process.execPath, [app], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, NATS_URL: nats.url, LOG_LEVEL: 'silent', ...env },
    });
    expect(run.status).toBe(1);
    // One message, no stack: it names the program, every bad variable (a line each) and the code.
    expect(run.stderr).toMatch(new RegExp(`^${name}: [^\\n]+(\\n  [^\\n]+)*\\[${code}\\]\\n$`));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
