/**
 * CPU profiles under the bench's load, summarised as self time per function and per package.
 * Server processes run with `--cpu-prof` and are stopped with SIGTERM so V8 writes the profile;
 * only samples taken during the measured load count (not start-up or shutdown).
 *
 *   node bench/profile.ts [--system gateway|floor|direct] [--era legacy|modern] [--config default|open]
 *                         [--env KEY=VALUE ...] [--duration 15] [--pin] [--bundled]
 *
 * --pin puts the profiled HTTP server alone on CPU 1 and everything else (load, nats-server, the
 * node or responder) on CPU 0. On a 2-core machine an unpinned server is often preempted inside
 * the socket write that wakes nats-server, and the sampling profiler charges that wait to
 * `writeBuffer`; pinned, the profile shows the server's own CPU work.
 *
 * gateway: gateway + toolbox node under 64-connection tools/call (the era picks the request shape;
 *          --config open turns authentication and audit off, default keeps both on with an API key).
 * floor:   the floor's node:http server + raw responder under the same load, for comparison.
 * direct:  the toolbox node under 64 in-process RpcClient + invokeTool callers; the calling side
 *          (this process) is profiled through the inspector.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { connectMesh, invokeTool, RpcClient } from '@easyremote/mesh';
import { startNats } from '@easyremote/nats-launcher';
import { toolSubject } from '@easyremote/protocol';
import { pin, spawnChild, type Child } from './lib/child.ts';
import { closedLoop, LoopTally } from './lib/closed-loop.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/cpuprofile.ts';
import { loadHttp } from './lib/http-load.ts';
import {
  initializeSession,
  legacyCallBody,
  legacyHeaders,
  modernCallBody,
  modernHeaders,
  probeEcho,
} from './lib/mcp-http.ts';
import { resultsDir } from './lib/report.ts';
import { startGatewayProcess, startToolboxNode, waitForTool } from './scenarios/systems.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    system: { type: 'string', default: 'gateway' },
    era: { type: 'string', default: 'legacy' },
    duration: { type: 'string', default: '15' },
    dir: { type: 'string', default: '/tmp/prof' },
    pin: { type: 'boolean', default: false },
    config: { type: 'string', default: 'default' },
    env: { type: 'string', multiple: true, default: [] },
    bundled: { type: 'boolean', default: false },
  },
});
// Profiles name files and lines: the servers run from their modules (same code as the bundle), so
// every frame keeps its library and source line. --bundled profiles what `easyremote` runs instead.
if (!values.bundled) process.env.EASYREMOTE_UNBUNDLED = '1';
// --env KEY=VALUE (repeatable): extra gateway settings, e.g. --env EASYREMOTE_AUDIT=off.
const gatewayEnv = Object.fromEntries(
  (values.env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const config = values.config === 'open' ? 'open' : 'default';
const serverCpus = values.pin ? '1' : undefined;
const restCpus = values.pin ? '0' : undefined;
const system = values.system === 'floor' || values.system === 'direct' ? values.system : 'gateway';
const era = values.era === 'modern' ? 'modern' : 'legacy';
const durationSec = Math.min(60, Math.max(1, Number(values.duration)));
const dir = join(values.dir ?? '/tmp/prof', `${system}-${era}-${Date.now()}`);

interface Profiled {
  name: string;
  child: Child;
  dir: string;
  spawnedAt: number;
}

function flags(name: string): { dir: string; nodeFlags: string[] } {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  return { dir: folder, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${folder}`] };
}

function newest(folder: string): string {
  const last = readdirSync(folder)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (!last) throw new Error(`no .cpuprofile written in ${folder}`);
  return join(folder, last);
}

async function startProfiled(name: string, start: (nodeFlags: string[]) => Promise<Child>): Promise<Profiled> {
  const { dir: folder, nodeFlags } = flags(name);
  const spawnedAt = performance.now();
  return { name, child: await start(nodeFlags), dir: folder, spawnedAt };
}

const nats = await startNats({ path: process.env.PATH });
if (restCpus !== undefined) {
  pin(process.pid, restCpus);
  pin(nats.pid, restCpus);
}
const profiled: Profiled[] = [];
const summaries: Record<string, ProfileSummary> = {};
let load: unknown;
const window = { from: 0, to: 0 };
try {
  if (system === 'direct') {
    profiled.push(
      await startProfiled('node', (nodeFlags) =>
        startToolboxNode(nats.url, 'bench-toolbox', {}, nodeFlags, serverCpus),
      ),
    );
    const nc = await connectMesh({ servers: nats.url, name: 'bench-profile' });
    const rpc = new RpcClient(nc);
    const subject = toolSubject('echo');
    const call = () =>
      invokeTool(
        rpc,
        subject,
        { tool: 'echo', arguments: { text: 'hello' } },
        { timeoutMs: 5_000, callId: randomUUID() },
      );
    await closedLoop(call, 64, 1);
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const tally = new LoopTally();
    window.from = performance.now();
    await closedLoop(call, 64, durationSec, tally);
    window.to = performance.now();
    const { profile } = await session.post('Profiler.stop');
    const callerDir = flags('caller').dir;
    writeFileSync(join(callerDir, 'caller.cpuprofile'), JSON.stringify(profile));
    summaries.caller = summarizeProfile(join(callerDir, 'caller.cpuprofile'), 30);
    session.disconnect();
    load = tally.result();
    rpc.close();
    await nc.drain();
  } else {
    let target: { url: string; headers: Record<string, string>; body: string };
    if (system === 'gateway') {
      profiled.push(
        await startProfiled('node', (nodeFlags) =>
          startToolboxNode(nats.url, 'bench-toolbox', {}, nodeFlags, restCpus),
        ),
      );
      let url = '';
      let auth: Readonly<Record<string, string>> = {};
      profiled.push(
        await startProfiled('gateway', async (nodeFlags) => {
          const gateway = await startGatewayProcess(nats.url, {
            config,
            env: gatewayEnv,
            nodeFlags,
            ...(serverCpus !== undefined ? { cpus: serverCpus } : {}),
          });
          url = gateway.url;
          auth = gateway.auth;
          return gateway.child;
        }),
      );
      await waitForTool(url, 'echo', auth);
      const headers = {
        ...(era === 'legacy'
          ? legacyHeaders(await initializeSession(url, 0, auth))
          : modernHeaders('tools/call', 'echo')),
        ...auth,
      };
      target = { url, headers, body: era === 'legacy' ? legacyCallBody() : modernCallBody() };
    } else {
      profiled.push(
        await startProfiled('floor-responder', async (nodeFlags) => {
          const child = spawnChild('floor-responder', ['bench/servers/floor-responder.ts', nats.url], {
            nodeFlags,
            ...(restCpus !== undefined ? { cpus: restCpus } : {}),
          });
          await child.waitFor('bench ready');
          return child;
        }),
      );
      const http = await startProfiled('floor-http', async (nodeFlags) =>
        spawnChild('floor-http', ['bench/servers/floor-http.ts', nats.url], {
          nodeFlags,
          ...(serverCpus !== undefined ? { cpus: serverCpus } : {}),
        }),
      );
      profiled.push(http);
      target = {
        url: String((await http.child.waitFor('bench listening')).url),
        headers: legacyHeaders(undefined),
        body: legacyCallBody(),
      };
    }
    const expectBody = await probeEcho(target.url, target.headers, target.body);
    const full = { ...target, ...(expectBody ? { expectBody } : {}) };
    await loadHttp(full, { connections: 64, durationSec: 1, warmupSec: 0 });
    window.from = performance.now();
    load = await loadHttp(full, { connections: 64, durationSec, warmupSec: 0 });
    window.to = performance.now();
  }
  for (const p of profiled) {
    if (p.child.process.exitCode !== null)
      process.stdout.write(`${p.name} died under load:\n${p.child.lines.slice(-20).join('\n')}\n`);
    await p.child.stop(15_000);
    summaries[p.name] = summarizeProfile(newest(p.dir), 30, {
      fromMs: window.from - p.spawnedAt,
      toMs: window.to - p.spawnedAt,
    });
  }
  process.stdout.write(
    `load (${system}, ${system === 'direct' ? 'in-process calls' : `${era} tools/call`}, 64 concurrent, ${durationSec} s${values.pin ? ', pinned' : ''}): ${JSON.stringify(load)}\n`,
  );
  for (const [name, summary] of Object.entries(summaries))
    process.stdout.write(`\n${name.toUpperCase()} ${formatProfile(summary)}\n`);
  const out = join(resultsDir(), `profile-${system}-${era}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    out,
    `${JSON.stringify({ system, era, durationSec, pinned: values.pin, load, ...summaries }, null, 2)}\n`,
  );
  process.stdout.write(`\nwrote ${out}\n`);
} finally {
  await Promise.all(profiled.map((p) => p.child.stop()));
  await nats.stop();
}
