import type { ServerOptions } from 'node:http';
import type { GatewayConfig } from './config.js';

/**
 * Slow-client limits for every listener the gateway opens: the headers, then the whole request body,
 * must arrive in time, and an idle keep-alive connection is closed. Node checks the request limits on
 * an interval, so the interval is kept short: a trickled body is cut off within about a second of its
 * deadline, not up to half a minute after it. Waiting for a tool's answer is not limited here (the
 * call timeout governs it), so a long call or an idle notification stream is never cut off.
 */
export function httpServerLimits(
  config: Pick<GatewayConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs'>,
): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
} {
  return {
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.idleTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    },
  };
}

/** `host:port` of EASYREMOTE_METRICS_LISTEN, split (IPv6 hosts are written in brackets). */
export function parseListenAddress(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(colon + 1)) };
}
