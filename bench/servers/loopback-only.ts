/**
 * Preload for servers that offer no listen-host option (supergateway binds every interface): any
 * `listen(port)` without a host binds 127.0.0.1 instead, and the bound address is announced as a
 * JSON line on stderr so the bench can use port 0. Usage: node --import ./bench/servers/loopback-only.ts <server>
 */
import { Server } from 'node:net';

type Listen = (...args: unknown[]) => Server;
const original = Server.prototype.listen as Listen;

Server.prototype.listen = function listen(this: Server, ...args: unknown[]): Server {
  const [port, host] = args;
  const portOnly =
    (typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port))) && typeof host !== 'string';
  if (portOnly) args.splice(1, 0, '127.0.0.1');
  this.once('listening', () => {
    const address = this.address();
    if (typeof address === 'object' && address) {
      process.stderr.write(`${JSON.stringify({ msg: 'bench listening', url: `http://127.0.0.1:${address.port}` })}\n`);
    }
  });
  return original.apply(this, args);
} as Server['listen'];
