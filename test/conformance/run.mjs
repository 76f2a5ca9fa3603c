#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance suite (server scenarios) against a gateway
// whose fixture tools, resources and prompts live on a separate compute-node process behind NATS.
//
//   node test/conformance/run.mjs [--scenario <name>] [--suite active|all|pending] [--next]
//
// --next runs the newest pre-release of the suite (2026-07-28 scenarios) when it is installed as
// `conformance-next`; its result is reported but expected failures are not enforced for it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startNats } from '@easyremote/nats-launcher';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const args = process.argv.slice(2);
const next = args.includes('--next');
const passThrough = args.filter((arg) => arg !== '--next');
// Every scenario, not only the suite's "active" set (json-schema-2020-12 and server-sse-polling are "pending").
if (!passThrough.includes('--suite') && !passThrough.includes('--scenario')) passThrough.push('--suite', 'all');

/** Starts `easyremote <args>` and resolves once a JSON log line with `msg === ready` appears. */
function startApp(cliArgs, env, ready) {
  const child = spawn(process.execPath, [cli, ...cliArgs], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${cliArgs[0]} did not start:\n${lines.slice(-20).join('\n')}`)),
      30_000,
    );
    const onLine = (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.msg === ready) {
          clearTimeout(timer);
          resolve({ child, entry, lines });
        }
      } catch {
        // not a log line
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) =>
      reject(new Error(`${cliArgs[0]} exited with ${code}:\n${lines.slice(-20).join('\n')}`)),
    );
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

const nats = await startNats({ path: process.env.PATH, name: 'conformance' });
let gateway;
let node;
let code = 1;
try {
  [gateway, node] = await Promise.all([
    // The suite brings no credentials: authentication off, which the gateway allows on loopback only.
    startApp(
      ['gateway'],
      { NATS_URL: nats.url, PORT: '0', HOST: '127.0.0.1', EASYREMOTE_AUTH: 'off' },
      'gateway listening',
    ),
    startApp(
      ['node', 'test/fixtures/conformance-tools.ts', 'test/fixtures/conformance-task-tools.ts'],
      { NATS_URL: nats.url, EASYREMOTE_NODE_ID: 'conformance-fixtures' },
      'node serving',
    ),
  ]);
  const url = String(gateway.entry.url);
  const suite = next
    ? 'node_modules/conformance-next/dist/index.js'
    : 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
  const expected = next ? [] : ['--expected-failures', 'test/conformance/expected-failures.yml'];
  process.stdout.write(
    `conformance ${next ? '(next)' : ''} against ${url}, fixtures on node "conformance-fixtures" behind NATS\n`,
  );
  const runner = spawn(process.execPath, [suite, 'server', '--url', url, ...expected, ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  const [exitCode] = await once(runner, 'exit');
  code = exitCode ?? 1;
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await Promise.all([gateway && stop(gateway.child), node && stop(node.child)]);
  await nats.stop();
}
process.exit(code);
