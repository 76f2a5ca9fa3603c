import { KeyStore, KeyView, openKeyBucket } from '@easyremote/auth';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import type { Logger } from '@easyremote/protocol';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from './authenticator.js';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;

let nats: NatsServerHandle;
let nc: NatsConnection;
let store: KeyStore;
let view: KeyView;
let authenticator: Authenticator;

beforeAll(async () => {
  nats = await startNats({ path: process.env.PATH });
  nc = await connect({ servers: nats.url });
  store = await KeyStore.open(nc);
  view = await KeyView.start(await openKeyBucket(nc), { logger: quiet });
  authenticator = new Authenticator({ keys: view });
});

afterAll(async () => {
  view?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('Authenticator with API keys (a real key bucket and its watch)', () => {
  it('answers a verified key from memory, and refuses it once it is revoked', async () => {
    const { key, record } = await store.create('cache', ['tools:call']);
    await expect.poll(() => view.size).toBeGreaterThan(0);
    const header = `Bearer ${key}`;
    const first = await authenticator.authenticate(header);
    expect(first).toMatchObject({ ok: true, principal: `key:${record.id}` });
    // The same answer, not a new verification: the key was remembered, under any spelling of the header.
    expect(await authenticator.authenticate(header)).toBe(first);
    expect(await authenticator.authenticate(`bearer \t ${key}  `)).toBe(first);

    const before = view.revision;
    await store.revoke(record.id);
    await expect.poll(() => view.revision).toBeGreaterThan(before);
    expect(await authenticator.authenticate(header)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('never answers a wrong secret from memory, even right after the right one verified', async () => {
    const { key } = await store.create('wrong', ['tools:call']);
    await expect.poll(async () => (await authenticator.authenticate(`Bearer ${key}`)).ok).toBe(true);
    const wrong = `${key.slice(0, -4)}AAAA`;
    expect(await authenticator.authenticate(`Bearer ${wrong}`)).toMatchObject({ ok: false, reason: 'invalid' });
    // Another key put into the bucket changes the view: remembered answers are checked again and still hold.
    const before = view.revision;
    await store.create('other', ['tools:list']);
    await expect.poll(() => view.revision).toBeGreaterThan(before);
    expect(await authenticator.authenticate(`Bearer ${key}`)).toMatchObject({ ok: true });
  });
});
