import { findExecutables } from './find-executable.js';
import { LANGUAGE_SPECS, type Language } from './languages.js';
import { launchProgram, SandboxMode, type SandboxHost } from './program-launch.js';
import type { SandboxConfig } from './sandbox-config.js';

export type SandboxStatus =
  | {
      readonly available: true;
      readonly host: SandboxHost;
      /** The interpreter each usable language runs with. */
      readonly interpreters: Readonly<Partial<Record<Language, string>>>;
      /** Why an allowed language cannot run here. */
      readonly missing: Readonly<Partial<Record<Language, string>>>;
      /** Set in unsandboxed mode: why bubblewrap is not used. */
      readonly sandboxProblem: string | undefined;
    }
  | { readonly available: false; readonly reason: string };

const PROBE_TIMEOUT_S = 10;

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

async function first(name: string, searchPath: string): Promise<string | undefined> {
  return (await findExecutables(name, searchPath))[0];
}

/** Runs a language's probe program with each candidate interpreter until one prints `ok`. */
async function probeLanguage(
  host: SandboxHost,
  config: SandboxConfig,
  language: Language,
): Promise<{ path: string } | { problem: string }> {
  const spec = LANGUAGE_SPECS[language];
  const configured = config.interpreters[language];
  const candidates: string[] = [];
  for (const command of configured === undefined ? spec.commands : [configured]) {
    for (const path of await findExecutables(command, config.searchPath))
      if (!candidates.includes(path)) candidates.push(path);
  }
  if (candidates.length === 0)
    return {
      problem: `no ${spec.commands[0]} interpreter found${configured === undefined ? ' on PATH' : ` at ${configured}`}`,
    };
  let problem = '';
  for (const interpreterPath of candidates) {
    const outcome = await launchProgram(host, config, {
      language,
      interpreterPath,
      code: spec.probe,
      memoryBytes: config.defaultMemoryBytes,
      timeoutSeconds: PROBE_TIMEOUT_S,
      signal: AbortSignal.timeout((PROBE_TIMEOUT_S + 5) * 1000),
    }).catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: (error as Error).message }));
    if (outcome.exitCode === 0 && outcome.stdout.trim() === 'ok') return { path: interpreterPath };
    problem = `${interpreterPath} failed the self-test (exit ${outcome.exitCode}${firstLine(outcome.stderr) ? `: ${firstLine(outcome.stderr)}` : ''})`;
  }
  return { problem };
}

async function probeLanguages(
  host: SandboxHost,
  config: SandboxConfig,
): Promise<Pick<Extract<SandboxStatus, { available: true }>, 'interpreters' | 'missing'>> {
  const interpreters: Partial<Record<Language, string>> = {};
  const missing: Partial<Record<Language, string>> = {};
  await Promise.all(
    config.languages.map(async (language) => {
      const result = await probeLanguage(host, config, language);
      if ('path' in result) interpreters[language] = result.path;
      else missing[language] = result.problem;
    }),
  );
  return { interpreters, missing };
}

/**
 * The start-up self-test: finds bwrap, prlimit (and setpriv when running as root), checks that
 * bwrap can build the sandbox here (it cannot in containers without user namespaces), then runs a
 * one-line program per allowed language inside it. Without a working sandbox it falls back to
 * unsandboxed runs only when the operator allowed them.
 */
export async function probeSandbox(config: SandboxConfig, isRoot: boolean): Promise<SandboxStatus> {
  const prlimitPath = await first('prlimit', config.searchPath);
  let problem: string;
  const bwrapPath = await first(config.bwrapPath ?? 'bwrap', config.searchPath);
  const setprivPath = isRoot ? await first('setpriv', config.searchPath) : undefined;
  if (bwrapPath === undefined)
    problem = `bubblewrap (bwrap) is not installed${config.bwrapPath ? ` at ${config.bwrapPath}` : ''}`;
  else if (prlimitPath === undefined) problem = 'prlimit (util-linux) is not installed';
  else if (isRoot && setprivPath === undefined)
    problem = 'setpriv (util-linux) is not installed; it is needed to drop root before sandboxing';
  else {
    const host: SandboxHost = { mode: SandboxMode.Bubblewrap, bwrapPath, prlimitPath, setprivPath };
    const { interpreters, missing } = await probeLanguages(host, config);
    if (Object.keys(interpreters).length > 0 || config.languages.length === 0) {
      return { available: true, host, interpreters, missing, sandboxProblem: undefined };
    }
    problem = `the bubblewrap self-test failed: ${Object.values(missing).join('; ')}`;
  }
  if (!config.allowUnsandboxed) {
    return {
      available: false,
      reason: `${problem}. Install bubblewrap (Debian: apt-get install bubblewrap) and allow user namespaces, or set EASYREMOTE_ALLOW_UNSANDBOXED=1 to run code without a sandbox`,
    };
  }
  const host: SandboxHost = {
    mode: SandboxMode.Unsandboxed,
    bwrapPath: undefined,
    prlimitPath,
    setprivPath: undefined,
  };
  return { available: true, host, ...(await probeLanguages(host, config)), sandboxProblem: problem };
}
