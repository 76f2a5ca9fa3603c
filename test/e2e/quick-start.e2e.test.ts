import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/mcp-clients.js';
import { runCli, type AppProcess } from '../support/processes.js';

async function waitForLine(app: AppProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    for (const line of app.lines) {
      const match = line.match(pattern);
      if (match) return match;
    }
    if (app.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no line matching ${pattern}; output:\n${app.lines.join('\n')}`);
}

// What `npm start` runs: `easyremote dev` with no NATS_URL starts its own nats-server, a gateway
// and the toolbox node, and prints the MCP URL a real client can use.
describe('easyremote dev (npm start)', () => {
  let dev: AppProcess | undefined;
  afterAll(async () => {
    await dev?.stop();
  });

  it('brings up the whole mesh; an SDK client lists the toolbox tools and calls echo; Ctrl-C stops it cleanly', async () => {
    dev = runCli(['dev'], { NATS_URL: undefined, PORT: '0', LOG_LEVEL: 'warn' });
    const [, mcpUrl] = await waitForLine(dev, /MCP endpoint:\s+(\S+)/, 30_000);
    // Secure by default: without the printed key the gateway refuses; with it, everything works.
    const [, apiKey] = await waitForLine(dev, /API key:\s+(erk_\S+)/, 5_000);
    expect(dev.lines.join('\n')).toContain('"EASYREMOTE_API_KEY": "' + apiKey + '"');
    expect(
      (
        await fetch(mcpUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    const withKey: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), authorization: `Bearer ${apiKey}` },
      });
    const client = await connectClient(mcpUrl!, '2025-11-25', { fetch: withKey });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo']));
    const result = await client.callTool({ name: 'echo', arguments: { text: 'quick start' } });
    expect(JSON.stringify(result.content)).toContain('quick start');
    await client.close();

    dev.child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => dev!.child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
