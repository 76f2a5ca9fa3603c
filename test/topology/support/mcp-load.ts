import type { Client } from '@modelcontextprotocol/client';
import { connectClient, firstText } from '../../support/mcp-clients.js';
import type { LoadCall } from './load.js';

export interface McpCallers extends AsyncDisposable {
  /** Calls `tool` through worker's gateway (`urls[worker % urls.length]`); a tool error is a failure. */
  readonly call: LoadCall;
}

/**
 * One 2026-era SDK client per load worker, spread over the given gateway URLs. 2026 clients are
 * stateless, so a failed-over gateway needs nothing from the one before it.
 */
export async function mcpCallers(
  urls: readonly string[],
  concurrency: number,
  tool: string,
  args: (worker: number, n: number) => Record<string, unknown>,
): Promise<McpCallers> {
  const clients: Client[] = await Promise.all(
    Array.from({ length: concurrency }, (_, worker) => connectClient(urls[worker % urls.length]!, '2026-07-28')),
  );
  const counters = new Array<number>(concurrency).fill(0);
  return {
    async call(worker, signal) {
      const n = (counters[worker] = (counters[worker] ?? 0) + 1);
      const result = await clients[worker]!.callTool(
        { name: tool, arguments: args(worker, n) },
        { signal, timeout: 120_000 },
      );
      if (result.isError) throw new Error(`tool error: ${firstText(result)}`);
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close().catch(() => {})));
    },
  };
}
