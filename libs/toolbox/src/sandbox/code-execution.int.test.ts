import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@easyremote/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsWith } from '../../../../test/support/optional-tools.js';
import { EnvReader } from '../config/env-reader.js';
import { ToolboxErrorCode } from '../errors.js';
import { createCodeExecutionTool } from './code-execution-tool.js';
import { CodeSandbox } from './code-sandbox.js';
import { readSandboxConfig } from './sandbox-config.js';

const isRoot = process.getuid?.() === 0;

function sandboxWith(env: Record<string, string> = {}): CodeSandbox {
  const reader = new EnvReader({
    PATH: process.env.PATH,
    EASYREMOTE_SANDBOX_MAX_MEMORY: '512MB',
    EASYREMOTE_SANDBOX_MAX_TIMEOUT_S: '20',
    ...env,
  });
  const config = readSandboxConfig(reader);
  reader.finish();
  return new CodeSandbox(config, { isRoot });
}

interface Execution {
  output: string;
  errors: string;
  exit_code: number;
  execution_time: number;
  node_used: string;
  termination: string;
  sandbox: string;
  limits: { memory_bytes: number; timeout_seconds: number; clamped: string[] };
}

const sandbox = sandboxWith();
const tool = createCodeExecutionTool(sandbox);

async function execute(args: Record<string, unknown>, target = tool): Promise<Execution> {
  const response = await runTool(target, args, { timeoutMs: 60_000 });
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  if (!('result' in response)) throw new Error('input required');
  return response.result.structuredContent as unknown as Execution;
}

async function failureCode(args: Record<string, unknown>, target = tool): Promise<string> {
  const response = await runTool(target, args, { timeoutMs: 60_000 });
  return response.ok ? 'ok' : response.error.code;
}

/**
 * Processes still running as the sandbox uid (only meaningful when the node runs as root). Zombies
 * do not count: they run nothing, and whether one is reaped at once depends on the host's init.
 */
function leftovers(): string {
  if (!isRoot) return '';
  try {
    const lines = execFileSync('ps', ['-u', '65534', '-o', 'pid=,stat=,comm='], { encoding: 'utf8' })
      .trim()
      .split('\n');
    return lines
      .filter((line) => !/^\s*\d+\s+Z/.test(line))
      .join('\n')
      .trim();
  } catch {
    return ''; // ps exits 1 when no process matches
  }
}

async function stillServes(): Promise<void> {
  const next = await execute({ code: 'print(6 * 7)', language: 'python' });
  expect(next).toMatchObject({ output: '42\n', exit_code: 0 });
}

describe.runIf(runsWith('bubblewrap'))('distributed_code_execution in bubblewrap', () => {
  beforeAll(async () => {
    const status = await sandbox.status();
    if (!status.available || status.host.mode !== 'bubblewrap')
      throw new Error(`these tests need bubblewrap: ${JSON.stringify(status)}`);
  });

  it.each([
    [
      'python',
      'import sys\nprint("hi from", sys.version_info.major)\nsys.stderr.write("warn\\n")\nsys.exit(3)',
      'hi from 3\n',
    ],
    [
      'node',
      'console.log("hi from", typeof process.version); console.error("warn"); process.exit(3)',
      'hi from string\n',
    ],
    ['bash', 'echo "hi from $0" | sed s,/work/,,; echo warn >&2; exit 3', 'hi from main.sh\n'],
  ])('runs %s with the seed fields', async (language, code, output) => {
    const result = await execute({ code, language });
    expect(result).toMatchObject({
      output,
      errors: 'warn\n',
      exit_code: 3,
      node_used: expect.any(String),
      termination: 'exited',
      sandbox: 'bubblewrap',
    });
    expect(result.execution_time).toBeGreaterThan(0);
  });

  describe('attacks fail cleanly and the node keeps serving', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    const hostDir = mkdtempSync(join(tmpdir(), 'easyremote-victim-'));
    chmodSync(hostDir, 0o777); // writable by anyone: only the sandbox can stop the write

    beforeAll(async () => {
      server = createServer((socket) => {
        connections += 1;
        socket.end('secret');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(hostDir, { recursive: true, force: true });
    });

    it('opening a network connection fails (no network namespace access)', async () => {
      const code = [
        'import socket, sys',
        'failures = 0',
        `for host, port in [("127.0.0.1", ${port}), ("1.1.1.1", 80), ("example.com", 443)]:`,
        '    try:',
        '        socket.create_connection((host, port), timeout=3).recv(10)',
        '        print("connected", host)',
        '    except OSError as error:',
        '        failures += 1',
        '        print("blocked", host, type(error).__name__)',
        'sys.exit(0 if failures == 3 else 1)',
      ].join('\n');
      const result = await execute({ code, language: 'python' });
      expect(result.output).not.toContain('connected');
      expect(result.exit_code).toBe(0);
      expect(connections).toBe(0);
      const viaNode = await execute({
        code: `require('net').connect(${port}, '127.0.0.1').on('error', (e) => { console.log('blocked', e.code); }).on('connect', () => console.log('connected'))`,
        language: 'node',
      });
      expect(viaNode.output).toMatch(/^blocked (ENETUNREACH|ECONNREFUSED)/);
      expect(connections).toBe(0);
      await stillServes();
    });

    it('writing outside its temp dirs fails; /tmp and /work are writable and private', async () => {
      const victim = join(hostDir, 'owned');
      const code = [
        'results = []',
        `for path in ["/usr/owned", "/etc/owned", "/owned", "${victim}", "/root/owned", "/home/owned"]:`,
        '    try:',
        '        open(path, "w").write("x")',
        '        results.append("wrote " + path)',
        '    except OSError as error:',
        '        results.append("denied " + type(error).__name__)',
        'open("/tmp/mine", "w").write("ok")',
        'open("/work/mine", "w").write("ok")',
        'print(open("/tmp/mine").read(), open("/work/mine").read())',
        'print("\\n".join(results))',
      ].join('\n');
      const result = await execute({ code, language: 'python' });
      expect(result.exit_code).toBe(0);
      expect(result.output.split('\n')[0]).toBe('ok ok');
      expect(result.output).not.toContain('wrote');
      expect(existsSync(victim)).toBe(false);
      expect(existsSync('/usr/owned')).toBe(false);
      // The program's /tmp is not the host's, and nothing it wrote survives the run.
      const again = await execute({
        code: 'import os\nprint(os.path.exists("/tmp/mine"), os.path.exists("/work/mine"))',
        language: 'python',
      });
      expect(again.output).toBe('False False\n');
      await stillServes();
    });

    it('/dev/shm fills up at the tmpfs cap (ENOSPC), /dev is read-only, and every writable mount is capped', async () => {
      const cap = 2 * 1024 ** 2;
      const small = createCodeExecutionTool(sandboxWith({ EASYREMOTE_SANDBOX_TMP_SIZE: String(cap) }));
      // Files of 512 KiB each stay under RLIMIT_FSIZE (= the cap), so only the filesystem's size can stop them.
      const fill = [
        'import errno, sys',
        'written = 0',
        'try:',
        '    for i in range(64):',
        '        with open(f"/dev/shm/fill{i}", "wb") as f:',
        '            f.write(b"x" * 524288)',
        '        written += 524288',
        'except OSError as error:',
        '    print("stopped", errno.errorcode[error.errno], written)',
        'else:',
        '    print("wrote", written)',
        'for path in ["/dev/owned", "/dev/pts/owned"]:',
        '    try:',
        '        open(path, "w").write("x")',
        '        print("wrote", path)',
        '    except OSError as error:',
        '        print("denied", path, errno.errorcode[error.errno])',
        'open("/dev/null", "w").write("devices still work")',
        'print("MOUNTS")',
        'print(open("/proc/self/mountinfo").read())',
      ].join('\n');
      const result = await execute({ code: fill, language: 'python' }, small);
      expect(result.exit_code).toBe(0);
      const [report = '', mounts = ''] = result.output.split('MOUNTS\n');
      const stopped = /^stopped ENOSPC (\d+)$/m.exec(report);
      expect(stopped, report).not.toBeNull();
      expect(Number(stopped![1])).toBeLessThanOrEqual(cap);
      expect(report).toMatch(/^denied \/dev\/owned EROFS$/m);
      expect(report).not.toMatch(/^wrote \//m);
      // Every filesystem mounted read-write is a tmpfs of the configured size, or one that stores
      // nothing (proc, devpts) or a device node bound from the host (/dev/null, ...).
      const writable = mounts
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [left = '', right = ''] = line.split(' - ');
          const fields = left.split(' ');
          const [type = '', , superOptions = ''] = right.split(' ');
          return { mountPoint: fields[4] ?? '', options: fields[5] ?? '', type, superOptions };
        })
        .filter((mount) => mount.options.split(',').includes('rw'));
      expect(writable.map((mount) => mount.mountPoint).sort()).toEqual(
        expect.arrayContaining(['/dev/shm', '/tmp', '/work']),
      );
      for (const mount of writable) {
        if (mount.type === 'tmpfs') expect(mount.superOptions, mount.mountPoint).toContain(`size=${cap / 1024}k`);
        else if (mount.type === 'devtmpfs')
          expect(mount.mountPoint, mount.type).toMatch(/^\/dev\/(null|zero|full|random|urandom|tty)$/);
        else expect(['proc', 'devpts'], `${mount.mountPoint} (${mount.type})`).toContain(mount.type);
      }
      await stillServes();
    });

    it('a fork bomb is bounded by the process limit and leaves nothing behind', async () => {
      const python = await execute({
        code: 'import os\nwhile True:\n    os.fork()',
        language: 'python',
        requirements: { timeout: 5 },
      });
      expect(python.exit_code).not.toBe(0);
      expect(python.execution_time).toBeLessThan(10);
      const bash = await execute({
        code: 'bomb() { bomb | bomb & }; bomb; sleep 2; echo survived',
        language: 'bash',
        requirements: { timeout: 5 },
      });
      expect(bash.execution_time).toBeLessThan(10);
      expect(bash.errors).toMatch(/fork|Resource temporarily unavailable/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(leftovers()).toBe('');
      await stillServes();
    });

    it('allocating past the memory limit fails', async () => {
      const python = await execute({
        code: 'data = bytearray(256 * 1024 * 1024)\nprint("allocated")',
        language: 'python',
        requirements: { memory: '64MB' },
      });
      expect(python.output).toBe('');
      expect(python.errors).toContain('MemoryError');
      expect(python.exit_code).not.toBe(0);
      const node = await execute({
        code: 'const parts = []; for (;;) parts.push(Buffer.alloc(32 * 1024 * 1024, 1));',
        language: 'node',
        requirements: { memory: '64MB' },
      });
      expect(node.exit_code).not.toBe(0);
      const heap = await execute({
        code: 'const parts = []; for (;;) parts.push(new Array(1e6).fill(Math.random()));',
        language: 'node',
        requirements: { memory: '64MB' },
      });
      expect(heap.exit_code).not.toBe(0);
      expect(heap.errors).toMatch(/heap/i);
      await stillServes();
    });

    it('a busy loop is stopped at its CPU-time limit and a sleeper at its wall-time limit', async () => {
      const busy = await execute({ code: 'while True:\n    pass', language: 'python', requirements: { timeout: 1 } });
      // RLIMIT_CPU (SIGXCPU) normally ends it; on a loaded machine the loop may get less than a
      // CPU-second before the wall clock (timeout + 1 s) kills it instead. Either way it is stopped.
      expect(['cpu_time', 'wall_time']).toContain(busy.termination);
      expect(busy.errors).toMatch(/(CPU|wall)-time limit of 1 s exceeded/);
      expect(busy.execution_time).toBeLessThan(5);
      const sleeper = await execute({ code: 'sleep 30', language: 'bash', requirements: { timeout: 1 } });
      expect(sleeper).toMatchObject({ termination: 'wall_time', exit_code: 137 });
      expect(sleeper.execution_time).toBeLessThan(5);
      await stillServes();
    });

    it('a flood of output is cut at the output limit', async () => {
      const flood = await execute({ code: 'yes', language: 'bash', requirements: { timeout: 10 } });
      expect(flood.termination).toBe('output_limit');
      expect(flood.output.length).toBe(256 * 1024);
      await stillServes();
    });

    it('cannot see or signal host processes, nor read host secrets', async () => {
      const result = await execute({
        code: 'import os\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:3])\nprint(os.path.exists("/etc/passwd"), os.path.exists("/root"), os.path.exists("/work/main.py"))',
        language: 'python',
      });
      expect(result.output).toMatch(/^\[1, 2(, 3)?\]\nFalse False True\n$/);
    });
  });

  it('maps the seed requirements to limits, clamped to the node maxima', async () => {
    const result = await execute({ code: 'echo ok', language: 'bash', requirements: { memory: '4GB', timeout: 300 } });
    expect(result.limits).toEqual({
      memory_bytes: 512 * 1024 ** 2,
      timeout_seconds: 20,
      clamped: ["memory lowered to this node's maximum of 512 MiB", "timeout lowered to this node's maximum of 20 s"],
    });
  });

  it('validates before running: unknown requirement keys, bad sizes, oversized code, disallowed languages', async () => {
    expect(await failureCode({ code: 'x', language: 'python', requirements: { gpu: true } })).toBe(
      'NODE_ERR_INVALID_ARGUMENTS',
    );
    expect(await failureCode({ code: 'x', language: 'python', requirements: { memory: 'lots' } })).toBe(
      'NODE_ERR_INVALID_ARGUMENTS',
    );
    expect(await failureCode({ code: 'x', language: 'ruby' })).toBe('NODE_ERR_INVALID_ARGUMENTS');
    expect(await failureCode({ code: 'print(1)\0', language: 'python' })).toBe(ToolboxErrorCode.CodeRejected);
    expect(await failureCode({ code: 'é'.repeat(200 * 1024), language: 'python' })).toBe(ToolboxErrorCode.CodeRejected);
    const pythonOnly = createCodeExecutionTool(sandboxWith({ EASYREMOTE_SANDBOX_LANGUAGES: 'python' }));
    expect(await failureCode({ code: 'echo hi', language: 'bash' }, pythonOnly)).toBe(
      ToolboxErrorCode.LanguageUnavailable,
    );
  });
});

describe('distributed_code_execution without a sandbox', () => {
  it('refuses with a clear error unless the operator allows unsandboxed runs', async () => {
    const refusing = createCodeExecutionTool(sandboxWith({ EASYREMOTE_SANDBOX_BWRAP: '/nonexistent/bwrap' }));
    const response = await runTool(refusing, { code: 'print(1)', language: 'python' });
    expect(response).toMatchObject({
      ok: false,
      error: {
        code: ToolboxErrorCode.SandboxUnavailable,
        message: expect.stringContaining('EASYREMOTE_ALLOW_UNSANDBOXED'),
      },
    });

    const allowing = createCodeExecutionTool(
      sandboxWith({ EASYREMOTE_SANDBOX_BWRAP: '/nonexistent/bwrap', EASYREMOTE_ALLOW_UNSANDBOXED: '1' }),
    );
    expect(await execute({ code: 'print(1)', language: 'python' }, allowing)).toMatchObject({
      output: '1\n',
      exit_code: 0,
      sandbox: 'unsandboxed',
    });
  });
});
