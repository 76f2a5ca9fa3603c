import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bwrapArgv } from './bwrap-command.js';
import { LANGUAGE_SPECS, type Language } from './languages.js';
import { runProcess, type ProcessOutcome } from './run-process.js';
import type { SandboxConfig } from './sandbox-config.js';

/** How programs run on this node, decided once by the start-up probe. */
export const SandboxMode = {
  /** bubblewrap: namespaces, read-only system, private tmpfs, rlimits. */
  Bubblewrap: 'bubblewrap',
  /** The operator allowed it (EASYREMOTE_ALLOW_UNSANDBOXED=1): rlimits and a temp dir only. */
  Unsandboxed: 'unsandboxed',
} as const;
export type SandboxMode = (typeof SandboxMode)[keyof typeof SandboxMode];

export interface SandboxHost {
  readonly mode: SandboxMode;
  readonly bwrapPath: string | undefined;
  readonly prlimitPath: string | undefined;
  /** Set when the node runs as root (see bwrapArgv). */
  readonly setprivPath: string | undefined;
}

export interface ProgramRun {
  readonly language: Language;
  readonly interpreterPath: string;
  readonly code: string;
  readonly memoryBytes: number;
  readonly timeoutSeconds: number;
  readonly signal: AbortSignal;
}

const BASE_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };

/** Runs one program under `host`'s mode with the run's limits; rejects only when nothing could start. */
export async function launchProgram(
  host: SandboxHost,
  config: SandboxConfig,
  run: ProgramRun,
): Promise<ProcessOutcome> {
  const spec = LANGUAGE_SPECS[run.language];
  const cpuSeconds = Math.max(1, Math.ceil(run.timeoutSeconds));
  const addressSpaceBytes = run.memoryBytes + spec.addressSpaceHeadroom;
  // The wall clock gets a second more than the CPU limit, so a busy loop ends by RLIMIT_CPU (SIGXCPU)
  // and a sleeping program by the wall-clock kill.
  const wallTimeMs = Math.ceil(run.timeoutSeconds * 1000) + 1000;
  if (host.mode === SandboxMode.Bubblewrap) {
    const argv = bwrapArgv({
      bwrapPath: host.bwrapPath!,
      prlimitPath: host.prlimitPath!,
      setprivPath: host.setprivPath,
      uid: config.uid,
      gid: config.gid,
      interpreterPath: run.interpreterPath,
      interpreterArgs: spec.args(run.memoryBytes),
      fileName: spec.fileName,
      addressSpaceBytes,
      cpuSeconds,
      processes: config.maxProcesses,
      tmpBytes: config.tmpBytes,
    });
    return runProcess({
      argv,
      env: BASE_ENV,
      fd3: run.code,
      wallTimeMs,
      maxOutputBytes: config.maxOutputBytes,
      signal: run.signal,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'easyremote-run-'));
  try {
    const file = join(dir, spec.fileName);
    await writeFile(file, run.code, { mode: 0o600 });
    const limits =
      host.prlimitPath === undefined
        ? []
        : [
            host.prlimitPath,
            `--as=${addressSpaceBytes}`,
            `--cpu=${cpuSeconds}:${cpuSeconds + 1}`,
            `--nproc=${config.maxProcesses}`,
            `--fsize=${config.tmpBytes}`,
            '--core=0',
            '--',
          ];
    const argv = [...limits, run.interpreterPath, ...spec.args(run.memoryBytes), file];
    return await runProcess({
      argv,
      env: { ...BASE_ENV, HOME: dir, TMPDIR: dir },
      cwd: dir,
      wallTimeMs,
      maxOutputBytes: config.maxOutputBytes,
      signal: run.signal,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
