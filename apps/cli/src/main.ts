#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// Only the shutdown module: the package index would load pino and TypeBox before a command is chosen.
import { runMain } from '@easyremote/runtime/shutdown';

// Node's compile cache keeps compiled code and stripped TypeScript across starts: everything
// imported from here on, the bundle and a node's tools modules, is reused, and a module written in
// TypeScript is not stripped again (the stripper alone is most of a small node's start-up memory).
// Per user (NODE_COMPILE_CACHE, else $XDG_CACHE_HOME or ~/.cache, /easyremote/compile-cache), not
// Node's default in the shared temp directory: a code cache is trusted input. NODE_DISABLE_COMPILE_CACHE=1
// turns it off; a directory that cannot be written only means no cache.
enableCompileCache(
  process.env.NODE_COMPILE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'easyremote', 'compile-cache'),
);

const usage = `Usage: easyremote <command> [options]

Commands:
  dev        run a complete local mesh (NATS, gateway, toolbox node)
  gateway    run an MCP gateway
  node       run a compute node serving tools from modules
  data       upload data sets into the mesh (easyremote://data/<id>)
  keys       create, list and revoke gateway API keys
  grants     which tools each node may serve, and each tool's approved descriptor
  audit      query the audit log of tool executions
  report     usage report for a period (calls, latency, success, nodes, cost, advice)
  env        shell exports (KEY, gateway URL, data directory) of the running easyremote dev
  help       show help for a command

Run "easyremote help <command>" for details.
`;

/**
 * Each command's module, loaded only when it runs (or its help is asked for): `easyremote node`
 * loads nothing of the gateway or the toolbox.
 */
const commands = {
  env: () => import('./commands/env.js').then((m) => ({ help: m.envHelp })),
  dev: () => import('./commands/dev.js').then((m) => ({ help: m.devHelp })),
  gateway: () => import('./commands/gateway.js').then((m) => ({ help: m.gatewayHelp })),
  node: () => import('./commands/node.js').then((m) => ({ help: m.nodeHelp })),
  keys: () => import('./commands/keys.js').then((m) => ({ help: m.keysHelp })),
  grants: () => import('./commands/grants.js').then((m) => ({ help: m.grantsHelp })),
  audit: () => import('./commands/audit.js').then((m) => ({ help: m.auditHelp })),
  report: () => import('./commands/report.js').then((m) => ({ help: m.reportHelp })),
  data: () => import('./commands/data.js').then((m) => ({ help: m.dataHelp })),
} as const;

/**
 * A long-running command from the bundle `npm run build` writes (dist/bundle, ADR 0023) when it is
 * there, else from its own module; EASYREMOTE_UNBUNDLED=1 forces the module (debugging).
 */
async function bundledOr<T>(name: string, module: () => Promise<T>): Promise<T> {
  const bundled = new URL(`./bundle/${name}.js`, import.meta.url);
  if (process.env.EASYREMOTE_UNBUNDLED !== '1' && existsSync(bundled)) return (await import(bundled.href)) as T;
  return module();
}

async function helpFor(name: string | undefined): Promise<string> {
  const load =
    name !== undefined && Object.hasOwn(commands, name) ? commands[name as keyof typeof commands] : undefined;
  return load ? (await load()).help : usage;
}

async function main(argv: string[]): Promise<void> {
  // keys, grants, audit and report parse their own options.
  const helpAsked = argv.includes('--help') || argv.includes('-h');
  if (argv[0] === 'keys' && !helpAsked) return (await import('./commands/keys.js')).runKeys(argv.slice(1));
  if (argv[0] === 'grants' && !helpAsked) return (await import('./commands/grants.js')).runGrants(argv.slice(1));
  if (argv[0] === 'audit' && !helpAsked) return (await import('./commands/audit.js')).runAudit(argv.slice(1));
  if (argv[0] === 'report' && !helpAsked) return (await import('./commands/report.js')).runReportArgs(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { id: { type: 'string' }, nats: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(await helpFor(rest[0] ?? command));
    return;
  }
  switch (command) {
    case 'dev':
      return (await import('./commands/dev.js')).runDev();
    case 'env':
      return (await import('./commands/env.js')).runEnv();
    case 'gateway':
      return (await bundledOr('gateway-command', () => import('./commands/gateway.js'))).runGatewayCommand();
    case 'node':
      return (await bundledOr('node-command', () => import('./commands/node.js'))).runNodeCommand(rest, {
        ...(values.id !== undefined ? { id: values.id } : {}),
        ...(values.nats !== undefined ? { nats: values.nats } : {}),
      });
    case 'data':
      return (await import('./commands/data.js')).runData(rest, {
        ...(values.id !== undefined ? { id: values.id } : {}),
        ...(values.nats !== undefined ? { nats: values.nats } : {}),
      });
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

runMain('easyremote', () => main(process.argv.slice(2)));
