import { connect } from '@nats-io/transport-node';
import { until } from './wait.js';

interface StreamInfo {
  cluster?: { leader?: string };
}

/**
 * Moves the leadership of every JetStream stream that `serverName` leads to another member (the
 * JetStream API's leader step-down) and waits until each has a new leader. A test that kills a member
 * to cut a link, not to test an election, calls this first: otherwise the calls it makes meanwhile
 * wait for whichever stream (registry, audit) lost its leader, by chance of which member led it.
 */
export async function moveStreamLeadersOff(url: string, serverName: string, timeoutMs = 20_000): Promise<string[]> {
  const nc = await connect({ servers: url });
  try {
    const api = async <T>(subject: string, body = ''): Promise<T> =>
      (await nc.request(subject, body, { timeout: 5_000 })).json<T>();
    const { streams } = await api<{ streams: string[] | null }>('$JS.API.STREAM.NAMES');
    const led: string[] = [];
    for (const name of streams ?? []) {
      const info = await api<StreamInfo>(`$JS.API.STREAM.INFO.${name}`);
      if (info.cluster?.leader === serverName) led.push(name);
    }
    for (const name of led) {
      await until(
        `stream ${name} led by a member other than ${serverName}`,
        async () => {
          const leader = (await api<StreamInfo>(`$JS.API.STREAM.INFO.${name}`)).cluster?.leader;
          if (leader !== undefined && leader !== serverName) return true;
          if (leader === serverName) await api(`$JS.API.STREAM.LEADER.STEPDOWN.${name}`);
          return false;
        },
        timeoutMs,
        250,
      );
    }
    return led;
  } finally {
    await nc.close();
  }
}
