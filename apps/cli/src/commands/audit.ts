import { parseArgs } from 'node:util';
import { AuditLog, parseSince, type AuditRecord } from '@easyremote/auth';
import { connectCommand } from '../mesh-target.js';

export const auditHelp = `easyremote audit [--since 1h] [--tool NAME] [--principal P] [--limit N] [--json]

Reads the audit stream (every tool execution: time, principal, tool, node, duration, outcome, a SHA-256
of the arguments) straight from NATS. --since takes 30m, 1h, 2d or an ISO time. The gateway serves the
same records at GET /mcp/audit (admin scope). Environment: NATS_URL (default nats://127.0.0.1:4222) and
the gateway's NATS credentials and TLS: NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_CA,
NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX.
`;

export async function runAudit(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      tool: { type: 'string' },
      principal: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const sinceMs = parseSince(values.since ?? '1h');
  if (sinceMs === undefined) throw new Error(`--since ${values.since}: use a duration (30m, 1h, 2d) or an ISO time`);
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  const nc = await connectCommand('audit');
  try {
    const audit = await AuditLog.open(nc);
    const records = await audit.query({ sinceMs, tool: values.tool, principal: values.principal, limit });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(records)}\n`);
      return;
    }
    for (const r of records) {
      process.stdout.write(
        `${r.time}  ${r.outcome.padEnd(10)} ${r.tool}  by ${r.principal ?? '-'}  on ${ranOn(r)}  ${r.durationMs} ms  args ${r.argumentsSha256.slice(0, 16)}\n`,
      );
    }
    process.stdout.write(`${records.length} record(s)\n`);
  } finally {
    await nc.close();
  }
}

/** The serving node, or for a fanned-out call the nodes that ran its chunks. */
function ranOn(record: AuditRecord): string {
  if (record.nodeId !== undefined) return record.nodeId;
  if (record.chunks === undefined || record.chunks.length === 0) return '-';
  const nodes = [...new Set(record.chunks.map((chunk) => chunk.nodeId))].sort();
  return `${nodes.join(',')} (${record.chunks.length} chunk runs)`;
}
