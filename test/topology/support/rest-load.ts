import type { LoadCall } from './load.js';

/**
 * A load call through the gateways' REST door (`POST /mcp/tools/{name}`), worker i on
 * `bases[i % bases.length]`: the same routing as MCP `tools/call` with less client-side work, so a
 * small machine reaches enough calls per second to measure a rate below 1%.
 */
export function restCaller(
  bases: readonly string[],
  tool: string,
  args: (worker: number, n: number) => Record<string, unknown>,
): LoadCall {
  const counters = new Map<number, number>();
  return async (worker, signal) => {
    const n = (counters.get(worker) ?? 0) + 1;
    counters.set(worker, n);
    const response = await fetch(`${bases[worker % bases.length]}/mcp/tools/${encodeURIComponent(tool)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args(worker, n)),
      signal,
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`);
  };
}
