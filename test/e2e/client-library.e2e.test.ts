import { ClientError, connectRemote, MCPClient, RemoteToolError } from '@easyremote/client';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';

// The seed's MCPClient against a real gateway and node, in both protocol eras.
describe('MCPClient', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    [gateway, node] = await Promise.all([
      spawnGateway(nats.url),
      spawnNode(
        nats.url,
        ['@easyremote/toolbox', 'test/fixtures/test-tools.ts', 'test/fixtures/conformance-task-tools.ts'],
        {
          EASYREMOTE_NODE_ID: 'client-lib-node',
        },
      ),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  for (const era of ['legacy', 'modern', 'auto'] as const) {
    it(`${era}: connects, lists and calls tools, reads resources`, async () => {
      await using client = new MCPClient(gateway.url, { era });
      await client.connect();
      const names = (await client.listTools()).map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['echo', 'fixture.add']));
      expect(await client.callTool('fixture.add', { a: 20, b: 22 })).toEqual({ sum: 42 });
      expect(await client.callTool('fixture_whoami')).toBe('client-lib-node');
      const info = (await client.readResource('easyremote://compute/client-lib-node')) as { node_id: string };
      expect(info.node_id).toBe('client-lib-node');
      const failure = await client.callTool('fixture_tool_error').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RemoteToolError);
      expect(failure).toMatchObject({ code: 'FIXTURE_ERR_REFUSED' });
    });
  }

  it('starts, follows, answers and awaits tasks whatever era it connected with', async () => {
    await using client = new MCPClient(gateway.url, { era: 'legacy' });
    await client.connect();
    expect(await client.runTask('slow_compute', { seconds: 0.2, label: 'client' })).toBe('computed client in 0.2 s');
    const asking = await client.startTask('confirm_delete', { filename: 'c.txt' });
    let status = await client.getTask(asking);
    for (let i = 0; i < 50 && status.status !== 'input_required'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await client.getTask(asking);
    }
    const [key] = Object.keys(status.inputRequests ?? {});
    await client.answerTask(asking, { [key!]: { action: 'accept', content: { confirm: true } } });
    expect(await client.awaitTask(asking, 'confirm_delete')).toBe('deleted c.txt');
    const failed = await client.runTask('failing_job').catch((error: unknown) => error);
    expect(failed).toMatchObject({ name: 'RemoteToolError', code: 'JOB_FAILED' });
    const long = await client.startTask('slow_compute', { seconds: 60, label: 'c' });
    await client.cancelTask(long);
    expect(await client.awaitTask(long).catch((error: unknown) => error)).toMatchObject({
      code: 'REMOTE_ERR_TASK_CANCELLED',
    });
    const notATask = await client.startTask('fixture.add', { a: 1, b: 2 }).catch((error: unknown) => error);
    expect(notATask).toBeInstanceOf(ClientError);
    expect(notATask).toMatchObject({ code: 'REMOTE_ERR_NOT_A_TASK' });
  });

  it('remote(): starts a task on a node over NATS and reads its outcome from the task store', async () => {
    await using mesh = await connectRemote({ servers: nats.url });
    const task = await mesh.startTask('slow_compute', { seconds: 0.2, label: 'direct' });
    expect(task).toMatchObject({ tool: 'slow_compute', nodeId: 'client-lib-node' });
    expect(await mesh.awaitTask(task, { timeoutMs: 10_000 })).toBe('computed direct in 0.2 s');
    const failing = await mesh.startTask('failing_job', {});
    expect(await mesh.awaitTask(failing, { timeoutMs: 10_000 }).catch((error: unknown) => error)).toMatchObject({
      name: 'RemoteToolError',
      code: 'JOB_FAILED',
    });
    const slow = await mesh.startTask('slow_compute', { seconds: 60, label: 'x' });
    expect(await mesh.awaitTask(slow, { timeoutMs: 300 }).catch((error: unknown) => error)).toMatchObject({
      code: 'REMOTE_ERR_TASK_TIMEOUT',
    });
    mesh.cancelTask(slow);
    expect(await mesh.awaitTask(slow, { timeoutMs: 10_000 }).catch((error: unknown) => error)).toMatchObject({
      code: 'NODE_ERR_CANCELLED',
    });
    expect(await mesh.startTask('fixture.add', { a: 1, b: 2 }).catch((error: unknown) => error)).toMatchObject({
      code: 'REMOTE_ERR_NOT_A_TASK',
    });
  });
});
