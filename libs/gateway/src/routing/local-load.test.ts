import type { NodeAdvert } from '@easyremote/protocol';
import { describe, expect, it } from 'vitest';
import { LocalLoad } from './local-load.js';

const advert = (inFlight: number, latencyEwmaMs?: number): NodeAdvert => ({
  version: 1,
  nodeId: 'n',
  instanceId: 'i',
  startedAt: 0,
  heartbeatAt: 0,
  ttlMs: 1_000,
  tools: [],
  capabilities: { cpus: 1, memoryBytes: 1, platform: 'linux', labels: {} },
  load: { inFlight, maxConcurrency: 4, ...(latencyEwmaMs === undefined ? {} : { latencyEwmaMs }) },
});

describe('LocalLoad', () => {
  it('adds the other callers share of the last heartbeat to its own in-flight calls', () => {
    let now = 1_000;
    const load = new LocalLoad(() => now);
    load.begin('n');
    load.beat('n'); // the node counted our call and 2 of other callers
    expect(load.estimate(advert(3)).inFlight).toBe(3);
    load.end('n', 40);
    now += 500;
    expect(load.estimate(advert(3))).toMatchObject({ inFlight: 2, latencyMs: 40, capacity: 4 });
  });

  it('does not mistake a call of ours that ended just before a late heartbeat for foreign load', () => {
    let now = 1_000;
    const load = new LocalLoad(() => now);
    load.begin('n');
    now += 50;
    load.end('n', 50);
    now += 5;
    load.beat('n'); // taken while our call still ran: inFlight 1, all ours
    expect(load.estimate(advert(1)).inFlight).toBe(0);
  });

  it('falls back to the node-reported latency before its own samples', () => {
    expect(new LocalLoad().estimate(advert(0, 12)).latencyMs).toBe(12);
  });
});
