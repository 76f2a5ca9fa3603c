import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Logger } from '@easyremote/protocol';
import { MeshErrorCode, connectMesh } from './index.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    debug: (_obj: object, msg?: string) => lines.push(`debug ${msg}`),
    info: (_obj: object, msg?: string) => lines.push(`info ${msg}`),
    warn: (_obj: object, msg?: string) => lines.push(`warn ${msg}`),
    error: (_obj: object, msg?: string) => lines.push(`error ${msg}`),
    child: () => logger,
  };
  return logger;
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('connectMesh', () => {
  it('gives up after the startup attempts with a message naming the server and the cause', async () => {
    const port = await freePort();
    const logger = memoryLogger();
    const started = Date.now();
    const error = await connectMesh({
      servers: `nats://127.0.0.1:${port}`,
      maxStartupAttempts: 3,
      startupBackoffMs: 10,
      logger,
    }).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error.code).toBe(MeshErrorCode.ConnectFailed);
    expect(error.message).toBe(`could not reach NATS at nats://127.0.0.1:${port} after 3 attempts: ECONNREFUSED`);
    expect(logger.lines.filter((line) => line.startsWith('warn NATS not reachable yet'))).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('connects when the server comes up during the retries', async () => {
    const port = await freePort();
    let nats: NatsServerHandle | undefined;
    const late = new Promise<void>((resolve) =>
      setTimeout(
        () => void startNats({ path: process.env.PATH, port }).then((handle) => ((nats = handle), resolve())),
        400,
      ),
    );
    const logger = memoryLogger();
    try {
      const nc = await connectMesh({
        servers: [`nats://127.0.0.1:${port}`],
        maxStartupAttempts: 20,
        startupBackoffMs: 50,
        logger,
      });
      await late;
      expect(nc.isClosed()).toBe(false);
      expect(logger.lines.some((line) => line.startsWith('warn NATS not reachable yet'))).toBe(true);
      expect(logger.lines).toContain('info connected to NATS');
      await nc.close();
    } finally {
      await late;
      await nats?.stop();
    }
  });

  it('reconnects after a server restart and logs both events', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const logger = memoryLogger();
    const nc = await connectMesh({ servers: nats.url, name: 'test', logger });
    await nats.restart();
    await waitFor(() => logger.lines.includes('info reconnected to NATS'));
    expect(logger.lines).toContain('warn disconnected from NATS');
    await nc.flush();
    await nc.close();
    await waitFor(() => logger.lines.includes('info NATS connection closed'));
  });
});
