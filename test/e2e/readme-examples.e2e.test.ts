import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, type AppProcess } from '../support/processes.js';

// Docs that cannot drift: every ```console block of the README runs, in order, in one bash session
// against a live `easyremote dev`, and each command's output is compared with the one shown.
// Conventions: `$ ` starts a command (a trailing `\` continues it); the lines up to the next command
// are its output; `...` inside a line matches anything, a line of just `...` any number of lines; a
// command ending in `&` runs in the background and its shown lines must appear in its output. Keys,
// ports, pids, state-file paths and times are masked on both sides. The README's
// http://127.0.0.1:8080 is the dev gateway's address.
interface Step {
  command: string;
  expected: string[];
  background: boolean;
}

function readmeSteps(): Step[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const steps: Step[] = [];
  for (const block of readme.matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    const lines = block[1]!.split('\n').filter((line, index, all) => index < all.length - 1 || line !== '');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.startsWith('$ ')) {
        steps.at(-1)?.expected.push(line);
        continue;
      }
      let command = line.slice(2);
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)} ${lines[++i]!.trim()}`;
      const background = command.endsWith('&');
      steps.push({ command: background ? command.slice(0, -1).trim() : command, expected: [], background });
    }
  }
  return steps;
}

const MASKS: Array<[RegExp, string]> = [
  [/erk_[A-Za-z0-9_-]+/g, 'erk_KEY'],
  [/\(pid \d+, [^)]+\)/g, '(pid N, STATE)'],
  [/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'],
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME'],
  [/"time":\d+/g, '"time":T'],
];
const mask = (line: string) => MASKS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), line);
const lineRegExp = (expected: string) =>
  new RegExp(
    `^${mask(expected)
      .split('...')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/** Whether `actual` lines match `expected` (with `...` lines matching any run of lines). */
function matches(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length === 0) return actual.length === 0;
  const [first, ...rest] = expected;
  if (first === '...')
    return Array.from({ length: actual.length + 1 }, (_, skip) => skip).some((skip) =>
      matches(rest, actual.slice(skip)),
    );
  return actual.length > 0 && lineRegExp(first!).test(mask(actual[0]!)) && matches(rest, actual.slice(1));
}

describe('the README examples run as shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easyremote-readme-'));
  const env = { EASYREMOTE_STATE_FILE: join(dir, 'dev.json'), EASYREMOTE_DATA_DIR: join(dir, 'data') };
  let dev: AppProcess;
  let gatewayUrl: string;
  const steps = readmeSteps();

  beforeAll(async () => {
    dev = runCli(['dev'], { NATS_URL: undefined, EASYREMOTE_API_KEY: undefined, PORT: '0', LOG_LEVEL: 'warn', ...env });
    const started = Date.now();
    while (!existsSync(env.EASYREMOTE_STATE_FILE)) {
      if (Date.now() - started > 30_000) throw new Error(`easyremote dev did not come up:\n${dev.lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    gatewayUrl = (JSON.parse(readFileSync(env.EASYREMOTE_STATE_FILE, 'utf8')) as { gatewayUrl: string }).gatewayUrl;
  }, 60_000);

  // The bash session runs in its own process group: what its background commands started (a tool
  // node outlives the subshell that ran it) is stopped with the group, whatever happened in the test.
  let sessionGroup: number | undefined;
  const stopSessionGroup = () => {
    if (sessionGroup === undefined) return;
    try {
      process.kill(-sessionGroup, 'SIGTERM');
    } catch {
      // ESRCH: nothing of the group is left.
    }
  };

  afterAll(async () => {
    stopSessionGroup();
    await dev?.stop();
  });

  it('finds the console blocks (Try it, data and report, your own tool node)', () => {
    const commands = steps.map((step) => step.command).join('\n');
    for (const shown of [
      'npx easyremote env',
      '/mcp/tools/echo',
      'parallel_data_processing',
      'easyremote report',
      'npx easyremote node docs/examples/text-tools.ts',
      'text.shout',
    ])
      expect(commands).toContain(shown);
  });

  it('every command prints what the README shows', async () => {
    // One bash session: variables set by one command (eval, H=...) reach the next. Markers split the output.
    const script: string[] = [
      'set +e',
      `cd ${JSON.stringify(REPO_ROOT)}`,
      `export PATH=${JSON.stringify(`${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`)}`,
    ];
    steps.forEach((step, index) => {
      const command = step.command.replaceAll('http://127.0.0.1:8080', gatewayUrl);
      script.push(`echo "@@step ${index}@@"`);
      if (step.background) {
        script.push(`( ${command} ) > ${JSON.stringify(join(dir, `background-${index}.log`))} 2>&1 &`);
        // The next commands need what it started: wait until its shown lines are in its log.
        const last = step.expected.at(-1);
        if (last !== undefined)
          script.push(
            `for i in $(seq 1 200); do grep -q ${JSON.stringify(last.split('...').at(-1) ?? '')} ${JSON.stringify(join(dir, `background-${index}.log`))} && break; sleep 0.1; done`,
          );
      } else {
        script.push(`${command} 2>&1; echo`);
      }
    });
    script.push('echo "@@end@@"', 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; exit 0');
    const output = await new Promise<string>((resolve, reject) => {
      const bash = spawn('bash', ['-c', script.join('\n')], {
        env: { ...process.env, ...env, NATS_URL: '', LOG_LEVEL: 'info' } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      sessionGroup = bash.pid;
      let text = '';
      bash.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      bash.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      bash.once('error', reject);
      bash.once('exit', () => {
        stopSessionGroup();
        resolve(text);
      });
    });
    const sections = output.split(/^@@step (\d+)@@$/m);
    const outputs = new Map<number, string[]>();
    for (let i = 1; i < sections.length; i += 2)
      outputs.set(
        Number(sections[i]),
        sections[i + 1]!.replace(/@@end@@[\s\S]*$/, '')
          .split('\n')
          .filter((line) => line !== ''),
      );
    for (const [index, step] of steps.entries()) {
      const actual = step.background
        ? readFileSync(join(dir, `background-${index}.log`), 'utf8')
            .split('\n')
            .filter(Boolean)
        : (outputs.get(index) ?? []);
      const shown = step.background
        ? step.expected.every((line) => actual.some((got) => lineRegExp(line).test(mask(got))))
        : matches(step.expected, actual);
      expect(
        shown,
        `$ ${step.command}\n--- README shows:\n${step.expected.join('\n')}\n--- it printed:\n${actual.join('\n')}`,
      ).toBe(true);
    }
  }, 120_000);
});
