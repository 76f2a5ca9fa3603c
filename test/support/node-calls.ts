import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** Tool calls a node ran, by tool, from its own Prometheus endpoint (`easyremote_node_tool_calls_total`). */
export async function nodeCallCounts(metricsUrl: string): Promise<Record<string, number>> {
  const families = parsePrometheusTextFormat(await (await fetch(metricsUrl)).text());
  const counts: Record<string, number> = {};
  for (const metric of families.find((family) => family.name === 'easyremote_node_tool_calls_total')?.metrics ?? []) {
    const tool = metric.labels?.tool ?? '?';
    counts[tool] = (counts[tool] ?? 0) + Number(metric.value ?? 0);
  }
  return counts;
}

/** Polls `check` until it holds (10 ms apart), or fails naming `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
