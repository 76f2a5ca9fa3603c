#!/usr/bin/env node
// `npm test`: the test tiers one after another — unit and integration, then e2e, then topology — so
// the timing-sensitive scenarios (cancellation within 100 ms, a cluster member lost under load) do
// not share the machine's two cores with the rest of the suite. Prints one closing line for all of
// them: "tests: N passed, N failed" (and skipped), and exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const stages = [['unit', 'integration'], ['e2e'], ['topology']];
const extra = process.argv.slice(2);
const dir = await mkdtemp(join(tmpdir(), 'easyremote-tests-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedRun = false;

for (const [index, projects] of stages.entries()) {
  const report = join(dir, `stage-${index}.json`);
  const args = [
    vitest,
    'run',
    ...projects.flatMap((project) => ['--project', project]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  ];
  const code = await new Promise((resolve) =>
    spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }).once('exit', resolve),
  );
  try {
    const result = JSON.parse(await readFile(report, 'utf8'));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests;
    totals.skipped += result.numPendingTests + result.numTodoTests;
  } catch {
    // No report: the run itself failed (a crash or a typo in the filter); the exit code says so.
  }
  if (code !== 0) failedRun = true;
}
await rm(dir, { recursive: true, force: true });
process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
// CI installs every optional system tool (.ci/run), so a skipped test there means one went missing.
const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
if (ci && totals.skipped > 0)
  process.stdout.write('CI: no test may be skipped (every optional tool is installed by .ci/run)\n');
process.exit(failedRun || totals.failed > 0 || totals.passed === 0 || (ci && totals.skipped > 0) ? 1 : 0);
