import { parseArgs } from 'node:util';
import type { UsageReport } from '@easyremote/gateway';
import { devStatePath, readDevState } from '../dev-state.js';

export const reportHelp = `easyremote report [--period 7d] [--gateway <url>] [--json]

Prints the mesh's usage report for a period (30m, 24h, 7d, 2w; default 24h): calls, mean execution
time, success rate, most used tools, per-node utilization, cost and optimisation advice. Any gateway
answers the same report (it reads the shared analytics stream).
  --gateway <url>   gateway base URL (default $EASYREMOTE_GATEWAY_URL, $EASYREMOTE_GATEWAY, the running
                    easyremote dev, or http://127.0.0.1:8080)
  --json            print the report as JSON
Environment: EASYREMOTE_API_KEY (sent as a Bearer token when the gateway requires auth; the running
easyremote dev's key when unset and that gateway is used). The first stderr line names the gateway.
`;

export interface ReportOptions {
  period?: string;
  gateway?: string;
  json?: boolean;
}

export async function runReport(
  options: ReportOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const target = reportTarget(options, env);
  process.stderr.write(`easyremote report: gateway ${target.url} (from ${target.source})\n`);
  const base = target.url.replace(/\/+(mcp\/?)?$/, '');
  const period = options.period ?? '24h';
  const headers: Record<string, string> = target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {};
  const response = await fetch(`${base}/mcp/analytics/report?period=${encodeURIComponent(period)}`, { headers });
  const body = (await response.json().catch(() => undefined)) as
    (UsageReport & { error?: { code: string; message: string } }) | undefined;
  if (!response.ok || body === undefined) {
    const error = new Error(
      `the gateway answered HTTP ${response.status}${body?.error ? `: ${body.error.message}` : ''}`,
    );
    throw Object.assign(error, body?.error ? { code: body.error.code } : {});
  }
  process.stdout.write(options.json ? `${JSON.stringify(body, null, 2)}\n` : formatReport(body));
}

/**
 * The gateway to ask: --gateway, EASYREMOTE_GATEWAY_URL (or EASYREMOTE_GATEWAY, the bridge's name),
 * the running `easyremote dev` (with its key when EASYREMOTE_API_KEY is unset), else port 8080.
 */
function reportTarget(
  options: ReportOptions,
  env: Readonly<Record<string, string | undefined>>,
): { url: string; source: string; apiKey: string | undefined } {
  const apiKey = env.EASYREMOTE_API_KEY;
  if (options.gateway !== undefined) return { url: options.gateway, source: '--gateway', apiKey };
  if (env.EASYREMOTE_GATEWAY_URL) return { url: env.EASYREMOTE_GATEWAY_URL, source: 'EASYREMOTE_GATEWAY_URL', apiKey };
  if (env.EASYREMOTE_GATEWAY) return { url: env.EASYREMOTE_GATEWAY, source: 'EASYREMOTE_GATEWAY', apiKey };
  const path = devStatePath(env);
  const dev = readDevState(path);
  if (dev !== undefined)
    return {
      url: dev.gatewayUrl,
      source: `the running easyremote dev (pid ${dev.pid}, ${path})`,
      apiKey: apiKey ?? dev.apiKey,
    };
  return {
    url: 'http://127.0.0.1:8080',
    source: 'the default: no --gateway, EASYREMOTE_GATEWAY_URL or running easyremote dev',
    apiKey,
  };
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  if (rows.length === 0) return '  (none)\n';
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}\n`;
  return line(headers) + line(widths.map((width) => '-'.repeat(width))) + rows.map(line).join('');
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The report as readable tables. */
export function formatReport(report: UsageReport): string {
  const cost = report.cost_analysis;
  let out = `Usage report, last ${report.period} (${report.from} .. ${report.to})\n\n`;
  out += `  total tool calls        ${report.total_tool_calls}\n`;
  out += `  average execution time  ${report.average_execution_time.toFixed(3)} s\n`;
  out += `  success rate            ${pct(report.success_rate)}\n`;
  out += `  cache hits              ${report.cache.hits} (${pct(report.cache.hit_rate)})\n\n`;
  out += 'Most used tools\n';
  out += table(
    ['tool', 'calls', 'avg s', 'success', 'cached'],
    report.most_used_tools.map((tool) => [
      tool.tool,
      String(tool.calls),
      tool.average_execution_time.toFixed(3),
      pct(tool.success_rate),
      String(tool.cache_hits),
    ]),
  );
  out += '\nResource utilization\n';
  out += table(
    ['node', 'calls', 'busy s', 'GPU s', 'util', 'success'],
    report.resource_utilization.map((node) => [
      node.node,
      String(node.calls),
      node.busy_seconds.toFixed(3),
      node.gpu_seconds.toFixed(3),
      pct(node.utilization),
      pct(node.success_rate),
    ]),
  );
  out += `\nCost analysis (${cost.price_per_node_second}/node-s, ${cost.price_per_gpu_second}/GPU-s): node ${cost.node_seconds} s, GPU ${cost.gpu_seconds} s, total ${cost.total_cost}\n`;
  out += table(
    ['node', 'cost'],
    cost.by_node.map((entry) => [entry.node, String(entry.cost)]),
  );
  out += '\nRecommendations\n';
  out +=
    report.recommendations.length === 0
      ? '  (none)\n'
      : report.recommendations
          .map(
            (advice) =>
              `  - [${advice.issue}] ${advice.tool ?? advice.node}: ${advice.recommendation}${advice.potential_improvement ? ` (${advice.potential_improvement})` : ''}\n`,
          )
          .join('');
  return out;
}

/** `easyremote report ...` with its own options. */
export function runReportArgs(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { period: { type: 'string', short: 'p' }, gateway: { type: 'string' }, json: { type: 'boolean' } },
  });
  return runReport({
    ...(values.period !== undefined ? { period: values.period } : {}),
    ...(values.gateway !== undefined ? { gateway: values.gateway } : {}),
    json: values.json === true,
  });
}
