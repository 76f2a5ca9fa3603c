import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePorts } from '@easyremote/nats-launcher';
import { until } from './wait.js';

export const HAPROXY_INSTALL_HINT =
  'haproxy is not installed (Debian/Ubuntu: apt-get install -y haproxy); .ci/run installs it';

export interface Haproxy extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs HAProxy in the foreground with a committed config (deploy/haproxy.cfg), which takes its
 * listen address and gateways from the environment (`LB_BIND`, `GATEWAY_1..3`); resolves once every
 * backend has answered a request through it (health checks passed).
 */
export async function startHaproxy(options: {
  binary: string;
  configFile: string;
  backends: readonly string[];
}): Promise<Haproxy> {
  const [port] = await freePorts(1);
  const env: Record<string, string> = { LB_BIND: `127.0.0.1:${port}` };
  options.backends.forEach((backend, i) => (env[`GATEWAY_${i + 1}`] = backend));
  let output = '';
  const child = spawn(options.binary, ['-db', '-f', options.configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096)));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const seen = new Set<string>();
    await until(
      `haproxy serving through all ${options.backends.length} gateways`,
      async () => {
        if (child.exitCode !== null) return true; // reported below, without waiting for the deadline
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        await response.text();
        const server = response.headers.get('x-served-by');
        if (response.ok && server) seen.add(server);
        return seen.size === options.backends.length;
      },
      15_000,
      100,
    );
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, child, stop, [Symbol.asyncDispose]: stop };
}

export interface Served {
  /** JSON-RPC method of a POST (`response` for a client's answer), else the HTTP verb (`GET` = a stream). */
  method: string;
  /** The HAProxy server name that answered (X-Served-By). */
  by: string;
}

/** A fetch for MCP clients that records which gateway replica served each request. */
export function trackingFetch(): { fetch: typeof fetch; served: Served[] } {
  const served: Served[] = [];
  return {
    served,
    async fetch(input, init) {
      const response = await fetch(input, init);
      const body = typeof init?.body === 'string' ? init.body : '';
      const verb = init?.method ?? 'GET';
      const method =
        verb !== 'POST'
          ? verb
          : (/"method":"([^"]+)"/.exec(body)?.[1] ?? (body.includes('"result"') ? 'response' : 'other'));
      served.push({ method, by: response.headers.get('x-served-by') ?? 'unknown' });
      return response;
    },
  };
}
