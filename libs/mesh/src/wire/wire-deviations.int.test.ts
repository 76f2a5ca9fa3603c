import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { TE } from '@nats-io/nats-core/internal';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableWireDeviations } from './wire-deviations.js';

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

/** Publishes once with `hdrs` and returns the header the subscriber received. */
async function roundTrip(hdrs: MsgHdrs, name: string): Promise<string | undefined> {
  const subject = `wire.${Math.random().toString(36).slice(2)}`;
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  nc.publish(subject, 'x', { headers: hdrs });
  for await (const msg of sub) return msg.headers?.get(name);
  return undefined;
}

// Contracts: each fails when nats.js changes what the deviation relies on.
describe('wire deviations against the pinned nats.js, over a real nats-server', () => {
  it('switches every deviation on', () => {
    const report = enableWireDeviations();
    expect(report.skipped).toEqual([]);
    expect(report.enabled).toEqual(['pooled-protocol-encoding']);
  });

  it('pooled protocol encoding: nats.js encodes its protocol lines through the shared encoder', async () => {
    expect(TE).toBeInstanceOf(TextEncoder);
    const encode = TE.encode;
    let calls = 0;
    (TE as { encode: (input?: string) => Uint8Array }).encode = (input?: string) => {
      calls++;
      return encode.call(TE, input);
    };
    try {
      const h = headers();
      h.set('k', 'v');
      expect(await roundTrip(h, 'k')).toBe('v');
    } finally {
      (TE as { encode: (input?: string) => Uint8Array }).encode = encode;
    }
    expect(calls).toBeGreaterThan(0);
  });
});
