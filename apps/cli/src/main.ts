#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { auditHelp, runAudit } from './commands/audit.js';
import { dataHelp, runData } from './commands/data.js';
import { devHelp, runDev } from './commands/dev.js';
import { envHelp, runEnv } from './commands/env.js';
import { gatewayHelp, runGateway } from './commands/gateway.js';
import { grantsHelp, runGrants } from './commands/grants.js';
import { keysHelp, runKeys } from './commands/keys.js';
import { nodeHelp, runNode } from './commands/node.js';
import { reportHelp, runReportArgs } from './commands/report.js';

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

const helps: Record<string, string> = {
  env: envHelp,
  dev: devHelp,
  gateway: gatewayHelp,
  node: nodeHelp,
  keys: keysHelp,
  grants: grantsHelp,
  audit: auditHelp,
  report: reportHelp,
  data: dataHelp,
};

async function main(argv: string[]): Promise<void> {
  // keys, grants, audit and report parse their own options.
  if (argv[0] === 'keys' && !argv.includes('--help') && !argv.includes('-h')) return runKeys(argv.slice(1));
  if (argv[0] === 'grants' && !argv.includes('--help') && !argv.includes('-h')) return runGrants(argv.slice(1));
  if (argv[0] === 'audit' && !argv.includes('--help') && !argv.includes('-h')) return runAudit(argv.slice(1));
  if (argv[0] === 'report' && !argv.includes('--help') && !argv.includes('-h')) return runReportArgs(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { id: { type: 'string' }, nats: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(helps[rest[0] ?? command ?? ''] ?? usage);
    return;
  }
  switch (command) {
    case 'dev':
      return runDev();
    case 'env':
      return runEnv();
    case 'gateway':
      return runGateway();
    case 'node':
      return runNode(rest, {
        ...(values.id !== undefined ? { id: values.id } : {}),
        ...(values.nats !== undefined ? { nats: values.nats } : {}),
      });
    case 'data':
      return runData(rest, {
        ...(values.id !== undefined ? { id: values.id } : {}),
        ...(values.nats !== undefined ? { nats: values.nats } : {}),
      });
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? ` [${String((error as { code: unknown }).code)}]`
      : '';
  process.stderr.write(`easyremote: ${error instanceof Error ? error.message : String(error)}${code}\n`);
  process.exit(1);
});
