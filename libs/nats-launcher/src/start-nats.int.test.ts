import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findNatsServer, startNats } from './index.js';

function probe(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describe('startNats', () => {
  it('starts a real server on a free port with JetStream, and stops it', async () => {
    const nats = await startNats({ path: process.env.PATH });
    const info = await probe(nats.port);
    expect(info).toMatch(/^INFO /);
    expect(JSON.parse(info.slice(5)).jetstream).toBe(true);
    await nats.stop();
    await expect(probe(nats.port)).rejects.toThrow();
  });

  it('restarts on the same port', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const port = nats.port;
    await nats.restart();
    expect(nats.port).toBe(port);
    expect(await probe(port)).toMatch(/^INFO /);
  });

  it('says how to install nats-server when it is missing', () => {
    expect(() => findNatsServer('/nonexistent', [])).toThrow(/apt-get install -y nats-server/);
  });
});
